import { createServer } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OverloadedError, ValidationError } from '../errors';
import { toSearchDoc } from './elastic-documents';
import { ELASTIC_SCHEMA_VERSION, ElasticStore } from './elastic-store';
import { scanKeyOf } from './scan-key';
import type { ElasticStoreOptions } from './elastic-store-options';
import { CutProxy, dropPrefix, dropWith, uniquePrefix } from './elastic-test-support';
import type { Store } from './store';
import { withServices } from '../../scripts/testing/with-services';
import {
  T0,
  asSearchEvent,
  asSiteResult,
  describeStoreConformance,
  makeEvent,
  makeResult,
  makeSearch,
  searchId,
} from './store-conformance';

/** The store with `write` resolving only once the batch is in the indices and searchable. */
function flushingEveryWrite(store: ElasticStore): Store {
  return {
    write: async (batch) => {
      await store.write(batch);
      await store.flush();
      await store.durable(batch);
      expect(store.bufferedDocs).toBe(0);
    },
    getSearch: (id) => store.getSearch(id),
    eventsAfter: (id, afterSeq) => store.eventsAfter(id, afterSeq),
    listSearches: (options) => store.listSearches(options),
    listRunning: () => store.listRunning(),
    previousScan: (query) => store.previousScan(query),
    getBulkRun: (id) => store.getBulkRun(id),
    health: () => store.health(),
    close: () => store.close(),
  };
}

withServices('ElasticStore', ['elasticsearch'], ({ elasticsearch: esUrl }) => {

  // Writes land in the buffer and most reads are answered from it merged with the indices.
  describeStoreConformance('ElasticStore', async () => {
    const indexPrefix = uniquePrefix();
    const open = () => ElasticStore.open({ url: esUrl, indexPrefix });
    return { store: await open(), reopen: open, cleanup: () => dropWith(esUrl, indexPrefix) };
  });

  // Every write is flushed before it resolves, so every read is answered by the indices alone
  // (match_bool_prefix, search_after, the stored positions), with an empty buffer.
  describeStoreConformance('ElasticStore, reading from the indices', async () => {
    const indexPrefix = uniquePrefix();
    const open = async () => {
      const store = await ElasticStore.open({ url: esUrl, indexPrefix });
      // refresh: wait_for waits for the next refresh; 1 s each would make this suite crawl.
      const admin = new Client({ node: esUrl });
      try {
        await admin.indices.putSettings({ index: Object.values(store.indices), settings: { refresh_interval: '20ms' } });
      } finally {
        await admin.close();
      }
      return flushingEveryWrite(store);
    };
    return { store: await open(), reopen: open, cleanup: () => dropWith(esUrl, indexPrefix) };
  });

  describe('ElasticStore', () => {
    let admin: Client;
    let indexPrefix: string;
    const stores: ElasticStore[] = [];

    async function open(options: Partial<ElasticStoreOptions> = {}): Promise<ElasticStore> {
      const store = await ElasticStore.open({ url: esUrl, indexPrefix, ...options });
      stores.push(store);
      return store;
    }

    beforeEach(() => {
      admin = new Client({ node: esUrl });
      indexPrefix = uniquePrefix();
    });

    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close().catch(() => undefined);
      await dropPrefix(admin, indexPrefix);
      await admin.close();
    });

    describe('opening', () => {
      it('puts one template per index with strict mappings, and opens again without touching data', async () => {
        const store = await open();
        await store.write({ searches: [makeSearch(searchId(1))] });
        await store.close();

        const again = await open();
        const templates = await admin.indices.getIndexTemplate({ name: `${indexPrefix}-*` });
        const mappings = await admin.indices.getMapping({ index: Object.values(again.indices) });

        expect(templates.index_templates.map((t) => t.name).sort()).toStrictEqual(
          [`${indexPrefix}-bulk-runs`, `${indexPrefix}-events`, `${indexPrefix}-owners`, `${indexPrefix}-results`, `${indexPrefix}-searches`],
        );
        for (const index of Object.values(again.indices)) {
          expect(mappings[index]?.mappings.dynamic).toBe('strict');
        }
        expect((await again.getSearch(searchId(1)))?.search).toStrictEqual(makeSearch(searchId(1)));
      });

      it('adds the owners index to indices made before it, keeping their data', async () => {
        const store = await open();
        await store.write({ searches: [makeSearch(searchId(1))] });
        await store.close();
        // As a store from before owners left it: no owners index, no template for one.
        await admin.indices.delete({ index: `${indexPrefix}-owners` });
        await admin.indices.deleteIndexTemplate({ name: `${indexPrefix}-owners` });

        const again = await open();
        await again.write({ owners: [{ searchId: searchId(1), owner: 'owner-ana', createdAt: T0 }] });

        expect((await again.listSearches({ owner: 'owner-ana' })).items.map((item) => item.id)).toStrictEqual([searchId(1)]);
        expect((await admin.indices.exists({ index: `${indexPrefix}-owners` }))).toBe(true);
      });

      it('adds the bulk runs index to indices made before it, keeping their data', async () => {
        const store = await open();
        await store.write({ searches: [makeSearch(searchId(1))] });
        await store.close();
        await admin.indices.delete({ index: `${indexPrefix}-bulk-runs` });
        await admin.indices.deleteIndexTemplate({ name: `${indexPrefix}-bulk-runs` });

        const again = await open();
        const run = { id: 'run-1', createdAt: T0, searches: [{ line: 2, searchId: searchId(1), name: 'Business' }], errors: [] };
        await again.write({ bulkRuns: [run] });
        await again.flush();

        expect((await again.getBulkRun('run-1'))?.searches.get(searchId(1))?.status).toBe('completed');
        expect((await admin.indices.exists({ index: `${indexPrefix}-bulk-runs` }))).toBe(true);
      });

      it('uses doc ids that make retries idempotent', async () => {
        const store = await open();
        const id = searchId(1);
        await store.write({
          searches: [makeSearch(id)],
          results: [makeResult(id, 'alpha.example')],
          events: [makeEvent(id, 1)],
        });
        await store.flush();

        const ids = async (index: string) =>
          (await admin.search({ index, query: { match_all: {} } })).hits.hits.map((hit) => hit._id);

        expect(await ids(store.indices.searches)).toStrictEqual([id]);
        expect(await ids(store.indices.results)).toStrictEqual([`${id}:alpha.example`]);
        expect(await ids(store.indices.events)).toStrictEqual([`${id}:1`]);
      });

      it('refuses indices of another schema version, naming both', async () => {
        await (await open()).close();
        await admin.indices.putMapping({ index: `${indexPrefix}-events`, _meta: { sitescanSchema: 99 } });

        await expect(ElasticStore.open({ url: esUrl, indexPrefix })).rejects.toThrow(
          new RegExp(`has sitescan schema version 99; this sitescan writes ${ELASTIC_SCHEMA_VERSION}`),
        );
      });

      it('brings indices of version 1 up in place: adds the scan key and fills it in the searches there', async () => {
        const store = await open();
        await store.close();
        // A search as version 1 wrote it (no scanKey), in indices marked version 1.
        const joes = makeSearch(searchId(1), { query: { name: "Joe's Pizza", location: 'Brooklyn' } });
        const { scanKey: _none, ...v1Doc } = toSearchDoc(joes);
        await admin.index({ index: `${indexPrefix}-searches`, id: joes.id, document: v1Doc, refresh: true });
        for (const kind of ['searches', 'results', 'events', 'owners', 'bulk-runs']) {
          await admin.indices.putMapping({ index: `${indexPrefix}-${kind}`, _meta: { sitescanSchema: 1 } });
        }

        const upgraded = await open();
        const previous = await upgraded.previousScan({ scanKey: scanKeyOf({ name: 'JOES PIZZA', location: 'brooklyn' }), before: joes.createdAt + 1 });
        await upgraded.close();

        expect(previous?.search).toStrictEqual(joes);
        const mapping = await admin.indices.getMapping({ index: `${indexPrefix}-events` });
        expect(mapping[`${indexPrefix}-events`]?.mappings._meta?.sitescanSchema).toBe(ELASTIC_SCHEMA_VERSION);
      });

      it.each([
        ['a bad url', { url: 'localhost:9200' }, /Expected `url`/],
        ['an uppercase prefix', { indexPrefix: 'Sitescan' }, /Expected `indexPrefix`/],
        ['a zero buffer', { maxBuffered: 0 }, /Expected `maxBuffered` to be an integer from 1 to 10000000, got 0/],
        ['retryMaxMs below retryMinMs', { retryMinMs: 500, retryMaxMs: 100 }, /Expected `retryMaxMs` to be an integer from 500/],
        ['a username without password', { username: 'elastic' }, /Expected `password`/],
      ])('rejects %s with ValidationError', async (_label, options, message) => {
        const opening = ElasticStore.open({ url: esUrl, indexPrefix, ...options });

        await expect(opening).rejects.toBeInstanceOf(ValidationError);
        await expect(opening).rejects.toThrow(message);
      });

      it('names the URL when Elasticsearch cannot be reached', async () => {
        const port = await closedPort();

        await expect(
          ElasticStore.open({ url: `http://127.0.0.1:${port}`, indexPrefix, requestTimeoutMs: 1_000 }),
        ).rejects.toThrow(`could not open the Elasticsearch store at http://127.0.0.1:${port}`);
      });
    });

    describe('buffer', () => {
      it('lets reads see a write before its flush has reached the index', async () => {
        const store = await open({ flushMs: 60_000, flushDocs: 10_000 });
        const id = searchId(1);
        await store.write({
          searches: [makeSearch(id, { query: { name: 'Buffered Bakery' } })],
          results: [makeResult(id, 'alpha.example')],
          events: [makeEvent(id, 1)],
        });

        expect(store.bufferedDocs).toBe(3);
        expect((await admin.count({ index: store.indices.events })).count).toBe(0);
        expect((await store.getSearch(id))?.events).toStrictEqual([asSearchEvent(makeEvent(id, 1))]);
        expect((await store.listSearches({ q: 'buffered bak' })).items.map((item) => item.id)).toStrictEqual([id]);
        expect(await store.eventsAfter(id, 0)).toHaveLength(1);
      });

      it('keeps a stored result position and a stored event over buffered ones', async () => {
        const store = await open();
        const id = searchId(1);
        await store.write({
          searches: [makeSearch(id)],
          results: [makeResult(id, 'alpha.example'), makeResult(id, 'bravo.example')],
          events: [makeEvent(id, 1)],
        });
        await store.flush();

        const done = makeResult(id, 'alpha.example', { attempts: 4 });
        await store.write({ results: [done], events: [makeEvent(id, 1, { type: 'site:failed' })] });
        const buffered = await store.getSearch(id);
        await store.flush();
        const stored = await store.getSearch(id);

        expect(buffered).toStrictEqual(stored);
        expect(stored?.results).toStrictEqual([asSiteResult(done), asSiteResult(makeResult(id, 'bravo.example'))]);
        expect(stored?.events).toStrictEqual([asSearchEvent(makeEvent(id, 1))]);
      });

      it('lands the last of many quick states of the same docs', async () => {
        const store = await open({ flushMs: 1, flushDocs: 1 });
        const id = searchId(1);
        for (let total = 1; total <= 200; total++) {
          await store.write({
            searches: [makeSearch(id, { status: 'running', summary: { total } })],
            results: [makeResult(id, 'alpha.example', { attempts: total })],
          });
          if (total % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await store.flush();
        await store.close();

        const stored = await (await open()).getSearch(id);

        expect(stored?.search.summary.total).toBe(200);
        expect(stored?.results.map((r) => r.attempts)).toStrictEqual([200]);
      });

      it('flushes at flushDocs without waiting for flushMs', async () => {
        const store = await open({ flushMs: 60_000, flushDocs: 10 });
        const id = searchId(1);
        await store.write({ events: Array.from({ length: 10 }, (_, i) => makeEvent(id, i + 1)) });

        await expect.poll(() => store.bufferedDocs, { timeout: 5_000 }).toBe(0);
        expect((await admin.count({ index: store.indices.events })).count).toBe(10);
      });
    });

    describe('outage (through a proxy that drops every connection)', () => {
      let proxy: CutProxy;

      beforeEach(async () => {
        proxy = await CutProxy.start(new URL(esUrl));
      });

      afterEach(async () => {
        await proxy.stop();
      });

      it('keeps owners recorded during an outage and writes them once it ends', async () => {
        const store = await open({ url: proxy.url, retryMinMs: 20, retryMaxMs: 200, requestTimeoutMs: 2_000 });
        const search = makeSearch(searchId(1));
        await store.write({ searches: [search] });
        await store.flush();

        proxy.cut();
        const owners = [{ searchId: search.id, owner: 'owner-ana', createdAt: search.createdAt }];
        await store.write({ owners });
        let landed = false;
        const durable = store.durable({ owners }).then(() => (landed = true));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(landed).toBe(false);

        proxy.restore();
        await durable;
        await admin.indices.refresh({ index: store.indices.owners });
        expect((await admin.count({ index: store.indices.owners })).count).toBe(1);
        expect((await store.listSearches({ owner: 'owner-ana' })).items.map((item) => item.id)).toStrictEqual([search.id]);
      });

      it('takes a bulk run recorded during an outage and lands it once, whole, when the outage ends', async () => {
        const store = await open({ url: proxy.url, retryMinMs: 20, retryMaxMs: 200, requestTimeoutMs: 2_000 });
        const [first, second] = [searchId(1), searchId(2)];
        await store.write({ searches: [makeSearch(first, { status: 'running' }), makeSearch(second, { status: 'running' })] });
        await store.flush();

        proxy.cut();
        const run = {
          id: 'run-outage',
          createdAt: T0,
          name: 'clients.csv',
          owner: 'owner-ana',
          searches: [
            { line: 2, searchId: first, name: 'Blue Door Bakery', query: { name: 'Blue Door Bakery', location: 'Austin, TX' } },
            { line: 4, searchId: second, name: 'Corner Deli', query: { name: 'Corner Deli' } },
          ],
          errors: [{ line: 3, message: 'name: name is required' }],
        };
        // Taken while Elasticsearch is unreachable: the bulk API answers 201 and the run has a page.
        await store.write({ bulkRuns: [run] });
        let landed = false;
        const durable = store.durable({ bulkRuns: [run] }).then(() => (landed = true));
        await expect.poll(async () => (await store.health()).status, { timeout: 5_000 }).toBe('degraded');
        expect(landed).toBe(false);

        proxy.restore();
        await durable;
        await store.write({ searches: [makeSearch(first), makeSearch(second)] });
        await store.flush();
        await admin.indices.refresh({ index: store.indices.bulkRuns });
        expect((await admin.count({ index: store.indices.bulkRuns })).count).toBe(1);
        // Read back by a store that never saw the buffer: from the index alone.
        const fresh = await open();
        const state = await fresh.getBulkRun('run-outage');
        expect(state?.run).toStrictEqual(run);
        expect([...(state?.searches.values() ?? [])].map((search) => search.status)).toStrictEqual(['completed', 'completed']);
      });

      it('buffers while Elasticsearch is unreachable, reports degraded, and lands everything once, when it returns', async () => {
        const store = await open({ url: proxy.url, retryMinMs: 20, retryMaxMs: 200, requestTimeoutMs: 2_000 });
        const id = searchId(1);
        await store.write({ searches: [makeSearch(id, { status: 'running' })], events: [makeEvent(id, 1)] });
        await store.flush();

        proxy.cut();
        for (let seq = 2; seq <= 50; seq++) await store.write({ events: [makeEvent(id, seq)] });
        await store.write({
          searches: [makeSearch(id, { status: 'completed' })],
          results: [makeResult(id, 'alpha.example')],
          // An event already stored, sent again: it must not duplicate.
          events: [makeEvent(id, 1)],
        });
        await expect.poll(async () => (await store.health()).detail, { timeout: 5_000 }).toMatch(/failing for/);

        const health = await store.health();
        expect(health).toMatchObject({ status: 'degraded', kind: 'elasticsearch' });
        // 49 new events, the search, the result, and event 1 again (its create will answer 409).
        expect(health.detail).toMatch(/; 52 docs buffered \(limit 100000\)$/);
        expect(health.detail).toMatch(/failing for \d+\.\d s \(\d+ failed flushes, last error: .+\); next retry in \d+ ms/);

        proxy.restore();
        await store.flush();

        expect(await store.health()).toStrictEqual({ status: 'ok', kind: 'elasticsearch' });
        await admin.indices.refresh({ index: store.indices.events });
        const { count } = await admin.count({ index: store.indices.events });
        expect(count).toBe(50);
        const snapshot = await store.getSearch(id);
        expect(snapshot?.search.status).toBe('completed');
        expect(snapshot?.events.map((e) => e.seq)).toStrictEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(snapshot?.results).toStrictEqual([asSiteResult(makeResult(id, 'alpha.example'))]);
      });

      it('refuses a write beyond maxBuffered with OverloadedError naming the limit, and keeps what it holds', async () => {
        const store = await open({ url: proxy.url, maxBuffered: 10, retryMinMs: 20, retryMaxMs: 200, requestTimeoutMs: 2_000 });
        const id = searchId(1);
        proxy.cut();
        await store.write({ events: Array.from({ length: 8 }, (_, i) => makeEvent(id, i + 1)) });
        // Writing again what is buffered adds nothing.
        await store.write({ events: [makeEvent(id, 1)] });

        const refused = store.write({ events: [9, 10, 11].map((seq) => makeEvent(id, seq)) });

        await expect(refused).rejects.toBeInstanceOf(OverloadedError);
        await expect(refused).rejects.toThrow(/8 docs buffered \(limit 10, maxBuffered\), a batch of 3 more refused/);
        expect(store.bufferedDocs).toBe(8);

        proxy.restore();
        await store.flush();
        expect((await store.eventsAfter(id, 0)).map((e) => e.seq)).toStrictEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      });

      it('keeps the newest state when a flush fails while newer states of the same docs wait', async () => {
        const store = await open({ url: proxy.url, flushMs: 1, flushDocs: 1, retryMinMs: 20, retryMaxMs: 200, requestTimeoutMs: 2_000 });
        const id = searchId(1);
        // Each flush waits for a refresh (up to 1 s), so the later states are written while the
        // first is in flight; the cut then fails whatever is in flight.
        for (let total = 1; total <= 5; total++) {
          await store.write({
            searches: [makeSearch(id, { status: 'running', summary: { total } })],
            results: [makeResult(id, 'alpha.example', { attempts: total })],
          });
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        proxy.cut();
        await expect.poll(async () => (await store.health()).detail ?? '', { timeout: 5_000 }).toMatch(/failing for/);
        proxy.restore();
        await store.flush();
        await store.close();

        const stored = await (await open()).getSearch(id);

        expect(stored?.search.summary.total).toBe(5);
        expect(stored?.results.map((r) => r.attempts)).toStrictEqual([5]);
      });

      it('gives up in close() after closeTimeoutMs and names what was not written', async () => {
        const store = await open({ url: proxy.url, closeTimeoutMs: 300, retryMinMs: 20, requestTimeoutMs: 2_000 });
        proxy.cut();
        const id = searchId(1);
        await store.write({ searches: [makeSearch(id)], events: [makeEvent(id, 1), makeEvent(id, 2)] });

        const started = Date.now();
        await expect(store.close()).rejects.toThrow(
          /closed the Elasticsearch store with 3 docs not written after \d+ ms \(2 events, 0 results, 1 searches; e\.g\./,
        );
        expect(Date.now() - started).toBeLessThan(3_000);
        await expect(store.write({ events: [makeEvent(id, 3)] })).rejects.toThrow(/is closed/);
        expect(await store.health()).toMatchObject({ status: 'degraded', detail: expect.stringMatching(/store closed; 3 docs buffered/) });
      });
    });

    describe('history words', () => {
      it('matches names folded the same way on both sides', async () => {
        const store = await open();
        await store.write({
          searches: [
            makeSearch(searchId(1), { createdAt: T0 + 1, query: { name: 'Café Ñandú', location: 'Zürich' } }),
            makeSearch(searchId(2), { createdAt: T0 + 2, query: { name: 'Cafe\u0301 Noir', location: 'Paris' } }),
          ],
        });
        await store.flush();

        const ids = async (q: string) => (await store.listSearches({ q })).items.map((item) => item.id);
        expect(await ids('cafe')).toStrictEqual([searchId(2), searchId(1)]);
        expect(await ids('NANDU zur')).toStrictEqual([searchId(1)]);
        expect(await ids('café noir')).toStrictEqual([searchId(2)]);
      });
    });
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
