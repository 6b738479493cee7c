import { afterEach, describe, expect, it } from 'vitest';
import type { BusinessQuery, Search } from '../lib/types';
import { newHistoryKey } from './http/history-key';
import type { LiveSearches, SearchRunner } from './search-runner';
import { SearchService } from './search-service';
import { SqliteStore } from './store/sqlite-store';
import { makeSearch, searchId, T0 } from './store/store-conformance';
import type { Store } from './store/store';

/** A runner whose searches are written to the store at once, as the event log would. */
function storingRunner(store: Store): SearchRunner {
  let n = 0;
  return {
    async submit(query: BusinessQuery): Promise<Search> {
      n++;
      const search = makeSearch(searchId(n), { query, createdAt: T0 + n });
      await store.write({ searches: [search] });
      return search;
    },
    cancel: () => false,
    siteStats: () => undefined,
    sites: () => [],
    load: () => ({ runningSearches: 0, bufferedJobs: 0 }),
    close: async () => undefined,
  };
}

const notLive: LiveSearches = { snapshot: () => undefined, eventsAfter: () => undefined, onSearchEnded: () => () => undefined };

describe('SearchService history scope', () => {
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  function service(historyScope: 'all' | 'owner', store = new SqliteStore({ file: ':memory:' })) {
    stores.push(store);
    return new SearchService({ runner: storingRunner(store), live: notLive, store, historyScope });
  }
  const names = (page: { items: readonly { query: { name: string } }[] }) => page.items.map((item) => item.query.name);

  it('with owner scope lists the searches of the history key only, and none without a key', async () => {
    const searches = service('owner');
    const [ana, bo] = [newHistoryKey(), newHistoryKey()];
    await searches.create({ name: 'Ana One' }, { historyKey: ana });
    await searches.create({ name: 'Bo One' }, { historyKey: bo });
    await searches.create({ name: 'Ana Two' }, { historyKey: ana });
    await searches.create({ name: 'Nobody' });

    expect(names(await searches.list({}, ana))).toStrictEqual(['Ana Two', 'Ana One']);
    expect(names(await searches.list({ q: 'one' }, ana))).toStrictEqual(['Ana One']);
    expect(names(await searches.list({}, bo))).toStrictEqual(['Bo One']);
    expect(names(await searches.list({}, newHistoryKey()))).toStrictEqual([]);
    expect(await searches.list({})).toStrictEqual({ items: [] });
  });

  it('with all scope (the default) lists every search, key or not, and still records owners', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const searches = service('all', store);
    const ana = newHistoryKey();
    await searches.create({ name: 'Ana One' }, { historyKey: ana });
    await searches.create({ name: 'Nobody' });

    expect(names(await searches.list({}))).toStrictEqual(['Nobody', 'Ana One']);
    expect(names(await searches.list({}, newHistoryKey()))).toStrictEqual(['Nobody', 'Ana One']);
    // Recorded all along, so an instance that turns owner scope on keeps its users' histories.
    expect(names(await service('owner', store).list({}, ana))).toStrictEqual(['Ana One']);
  });

  it('starts the search even when its owner cannot be recorded', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const searches = service('owner', store);
    const write = store.write.bind(store);
    store.write = (batch) => (batch.owners ? Promise.reject(new Error('disk full')) : write(batch));

    const created = await searches.create({ name: 'Unrecorded' }, { historyKey: newHistoryKey() });

    expect(created.url).toBe(`/s/${created.id}`);
    expect((await searches.get(created.id)).search.query.name).toBe('Unrecorded');
  });
});

describe('SearchService previous scan', () => {
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  function service(historyScope: 'all' | 'owner') {
    const store = new SqliteStore({ file: ':memory:' });
    stores.push(store);
    return { store, searches: new SearchService({ runner: storingRunner(store), live: notLive, store, historyScope }) };
  }
  const joes = { name: "Joe's Pizza", location: 'Brooklyn' };

  it('finds the last scan of the business by anyone, or with owner scope only by the same owner', async () => {
    const [ana, bo] = [newHistoryKey(), newHistoryKey()];
    for (const scope of ['all', 'owner'] as const) {
      const { searches } = service(scope);
      const anas = await searches.create(joes, { historyKey: ana });
      const bos = await searches.create({ name: 'JOES PIZZA', location: 'brooklyn' }, { historyKey: bo });
      const again = await searches.create(joes, { historyKey: ana });

      const previous = await searches.previousScan((await searches.get(again.id)).search);
      expect(previous?.id).toBe(scope === 'all' ? bos.id : anas.id);
      expect(await searches.previousScan((await searches.get(anas.id)).search)).toBeUndefined();
    }
  });

  it('shows no changes rather than failing when the store cannot say', async () => {
    const { store, searches } = service('all');
    const created = await searches.create(joes);
    store.previousScan = () => Promise.reject(new Error('index unavailable'));

    expect(await searches.previousScan((await searches.get(created.id)).search)).toBeUndefined();
  });
});

describe('SearchService.bulkRun', () => {
  it('reads where its searches stand in one batched read when live state has one, the store\'s state for the others', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    try {
      const [running, ended] = [searchId(1), searchId(2)];
      await store.write({ searches: [makeSearch(running, { status: 'running' }), makeSearch(ended)] });
      const asked: string[][] = [];
      const live: LiveSearches = {
        ...notLive,
        snapshot: () => {
          throw new Error('one snapshot per search is what the batched read replaces');
        },
        states: async (ids) => {
          asked.push([...ids]);
          return new Map([[running, { status: 'running' as const, summary: makeSearch(running, { summary: { found: 2, open: 1 } }).summary }]]);
        },
      };
      const searches = new SearchService({ runner: storingRunner(store), live, store });
      await searches.recordBulkRun({
        id: 'run-1',
        createdAt: T0,
        searches: [
          { line: 2, searchId: running, name: 'Running' },
          { line: 3, searchId: ended, name: 'Ended' },
        ],
        errors: [],
      });

      const run = await searches.bulkRun('run-1');
      expect(asked).toStrictEqual([[running, ended]]);
      expect(run.status).toBe('running');
      expect(run.searches.map(({ id, status, summary }) => [id, status, summary?.found, summary?.open])).toStrictEqual([
        [running, 'running', 2, 1],
        [ended, 'completed', makeSearch(ended).summary.found, 0],
      ]);
    } finally {
      await store.close();
    }
  });
});
