/**
 * The behaviour every Store implementation must show, as one Vitest suite. An implementation's
 * test file calls `describeStoreConformance` with a factory; the suite then runs each case
 * against a fresh, empty store:
 *
 *   makeStore() ──► { store, reopen, cleanup }
 *        case: write / read / list … ── store.close() ──► reopen() ──► read again (durability)
 *        afterEach: close the open store ──► cleanup()
 *
 * Invariants the cases pin down (MUST unless marked MAY):
 * - Writes are idempotent upserts: a search by `id`, a result by `(searchId, siteId)` (the newest
 *   whole record wins), an event by `(searchId, seq)` (the first one written stays).
 * - `getSearch` returns results in the order they were first written and events in seq order,
 *   both without `searchId`; records round-trip exactly (unicode, markup, absent fields).
 * - `listSearches` is newest first by `createdAt`, ties broken by `id` descending; `limit`
 *   defaults to 20 and is clamped to 1–100; cursors page through everything exactly once, even
 *   when newer searches arrive between pages; a bad cursor throws `ValidationError`.
 * - `q` matches the words of the query's business name and location: every word must match,
 *   case-insensitively, the last one as a prefix. Query-syntax characters are plain text and
 *   never throw; a `q` with no words filters nothing. Listings and ids are not searched.
 * - `owner` lists only the searches recorded under it (`StoreBatch.owners`, written before or
 *   after the search itself, the first owner of a search staying), with the same order, paging
 *   and filters; an owner with no search lists nothing.
 * - `previousScan` finds the newest `completed` search with the scan key created before the given
 *   time (queries of one business in other case, accents, punctuation or phone format share the
 *   key), with its results in first-written order; with `sameOwnerAs`, only among that search's
 *   owner's searches (none when it has no owner).
 * - `getBulkRun` returns a bulk run as written (the first write of an id stays) with the current
 *   status and summary of each of its searches that is stored; undefined for an unknown id.
 * - Data survives `close()` and reopening the same location.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  BusinessQuery,
  Search,
  SearchEvent,
  SearchEventDraft,
  SearchListItem,
  SearchSummary,
  SiteResult,
} from '../../lib/types';
import { ValidationError } from '../errors';
import { scanKeyOf } from './scan-key';
import type { Store, StoredEvent, StoredSiteResult } from './store';

/** A store under test, on a location of its own. */
export interface StoreFixture {
  /** An open, empty store. */
  readonly store: Store;
  /**
   * Opens a new store on the same location (file, index prefix) as a restarted process would.
   * The suite closes the previous store before calling it.
   */
  reopen(): Promise<Store>;
  /** Removes the location. The suite has closed every store it got before calling it. */
  cleanup(): Promise<void>;
}

/** Makes a fresh fixture for each case. */
export type StoreFactory = () => Promise<StoreFixture>;

/** 2024-01-01T00:00:00Z: test data times count from here. */
export const T0 = Date.UTC(2024, 0, 1);

/** A search id shaped like a real one (22 URL-safe characters) that sorts by `n`. */
export function searchId(n: number): string {
  return `s${String(n).padStart(21, '0')}`;
}

/** Overrides for `makeSearch`; `query` and `summary` merge into the defaults. */
export type SearchOverrides = Partial<Omit<Search, 'id' | 'query' | 'summary'>> & {
  readonly query?: Partial<BusinessQuery>;
  readonly summary?: Partial<SearchSummary>;
};

const DONE_SUMMARY: SearchSummary = {
  total: 3,
  found: 1,
  partial: 1,
  notFound: 0,
  failed: 1,
  skipped: 0,
  cancelled: 0,
  open: 0,
};

const RUNNING_SUMMARY: SearchSummary = { ...DONE_SUMMARY, found: 1, partial: 0, failed: 0, open: 2 };

/**
 * A complete search for test data: completed (running when `status: 'running'`, then without
 * `completedAt`), created at `T0`. An override set to `undefined` removes that field.
 */
export function makeSearch(id: string, overrides: SearchOverrides = {}): Search {
  const { query, summary, ...rest } = overrides;
  const status = rest.status ?? 'completed';
  return compact<Search>({
    id,
    query: compact<BusinessQuery>({ name: `Business ${id}`, location: 'Springfield, IL', ...query }),
    priority: 'interactive',
    status,
    createdAt: T0,
    completedAt: status === 'running' ? undefined : T0 + 4_000,
    deadlineAt: T0 + 30_000,
    summary: { ...(status === 'running' ? RUNNING_SUMMARY : DONE_SUMMARY), ...summary },
    ...rest,
  });
}

/** A complete site result for test data: done, found, with a listing and field verdicts. */
export function makeResult(
  searchId: string,
  siteId: string,
  overrides: Partial<SiteResult> = {},
): StoredSiteResult {
  return compact<StoredSiteResult>({
    searchId,
    siteId,
    siteName: `Site ${siteId}`,
    sandbox: true,
    status: 'done',
    outcome: 'found',
    attempts: 1,
    latencyMs: 120,
    listing: {
      name: 'Business',
      address: '1 Main St, Springfield, IL',
      phone: '+1 217 555 0100',
      website: 'https://business.example',
      url: `https://${siteId}/listing/1`,
    },
    fields: { name: 'match', address: 'match', phone: 'match', website: 'missing' },
    ...overrides,
  });
}

/**
 * An event for test data: `site:started` at `T0 + 10 × seq`, or the draft given. A store keeps
 * an event's data as it came, so the fields of other types are left to the overrides.
 */
export function makeEvent(
  searchId: string,
  seq: number,
  overrides: Partial<Pick<SearchEvent, 'at' | 'siteId'>> & Partial<SearchEventDraft> = {},
): StoredEvent {
  return compact({
    searchId,
    seq,
    at: T0 + seq * 10,
    type: 'site:started',
    siteId: 'alpha.example',
    data: { attempt: 1 },
    ...overrides,
  } as StoredEvent);
}

/** A site result as `getSearch` returns it: without `searchId`. */
export function asSiteResult(result: StoredSiteResult): SiteResult {
  const { searchId: _searchId, ...rest } = result;
  return rest;
}

/** An event as the store returns it: without `searchId`. */
export function asSearchEvent(event: StoredEvent): SearchEvent {
  const { searchId: _searchId, ...rest } = event;
  return rest;
}

/** The history line of a search. */
export function asListItem(search: Search): SearchListItem {
  const { id, query, status, createdAt, completedAt, summary } = search;
  return compact<SearchListItem>({ id, query, status, createdAt, completedAt, summary });
}

/** Newest first by `createdAt`, ties by `id` descending: the history order. */
export function newestFirst(searches: readonly Search[]): Search[] {
  return [...searches].sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : b.createdAt - a.createdAt,
  );
}

/** Drops keys whose value is `undefined`, so expected values compare strictly with stored ones. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Registers the conformance suite for one Store implementation. */
export function describeStoreConformance(name: string, makeStore: StoreFactory): void {
  describe(`${name} conforms to Store`, () => {
    let fixture: StoreFixture;
    let store: Store;
    let isOpen = false;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
      isOpen = true;
    });

    afterEach(async () => {
      if (isOpen) await store.close();
      isOpen = false;
      await fixture.cleanup();
    });

    /** Closes the store and opens the same location again, as a restart would. */
    async function restart(): Promise<void> {
      await store.close();
      isOpen = false;
      store = await fixture.reopen();
      isOpen = true;
    }

    /** Every page of a listing, following `next` until it is absent. */
    async function allPages(limit: number, filter: { q?: string; status?: Search['status']; owner?: string } = {}) {
      const pages: (readonly SearchListItem[])[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listSearches({ ...filter, limit, cursor });
        pages.push(page.items);
        cursor = page.next;
        if (pages.length > 1_000) throw new Error(`pagination did not end after 1000 pages of ${limit}`);
      } while (cursor !== undefined);
      return pages;
    }

    describe('write and getSearch', () => {
      it('round-trips a search with its results in first-written order and its events in seq order', async () => {
        const id = searchId(1);
        const search = makeSearch(id);
        const results = [
          makeResult(id, 'charlie.example'),
          makeResult(id, 'alpha.example', { status: 'failed', outcome: undefined, error: 'HTTP 500' }),
          makeResult(id, 'bravo.example', { outcome: 'partial', fields: { name: 'match', phone: 'mismatch' } }),
        ];
        await store.write({
          searches: [search],
          results,
          events: [makeEvent(id, 3), makeEvent(id, 1, { type: 'search:created', siteId: undefined })],
        });
        await store.write({ events: [makeEvent(id, 4, { type: 'search:completed' }), makeEvent(id, 2)] });

        const snapshot = await store.getSearch(id);

        expect(snapshot).toStrictEqual({
          search,
          results: results.map(asSiteResult),
          events: [
            asSearchEvent(makeEvent(id, 1, { type: 'search:created', siteId: undefined })),
            asSearchEvent(makeEvent(id, 2)),
            asSearchEvent(makeEvent(id, 3)),
            asSearchEvent(makeEvent(id, 4, { type: 'search:completed' })),
          ],
        });
      });

      it('keeps optional fields absent rather than null or undefined', async () => {
        const id = searchId(1);
        const search = makeSearch(id, { status: 'running', query: { location: undefined } });
        const result = makeResult(id, 'alpha.example', {
          status: 'pending',
          outcome: undefined,
          latencyMs: undefined,
          listing: undefined,
          fields: undefined,
          attempts: 0,
        });
        const event = makeEvent(id, 1, { siteId: undefined, data: undefined });
        await store.write({ searches: [search], results: [result], events: [event] });

        const snapshot = await store.getSearch(id);

        expect(Object.keys(snapshot?.search ?? {})).not.toContain('completedAt');
        expect(Object.keys(snapshot?.search.query ?? {})).toStrictEqual(['name']);
        expect(Object.keys(snapshot?.results[0] ?? {}).sort()).toStrictEqual(
          ['attempts', 'sandbox', 'siteId', 'siteName', 'status'],
        );
        expect(Object.keys(snapshot?.events[0] ?? {}).sort()).toStrictEqual(['at', 'seq', 'type']);
      });

      it('returns undefined for an unknown id', async () => {
        await store.write({ searches: [makeSearch(searchId(1))] });

        expect(await store.getSearch(searchId(2))).toBeUndefined();
      });

      it('keeps the results and events of each search to itself', async () => {
        const [a, b] = [searchId(1), searchId(2)];
        await store.write({
          searches: [makeSearch(a), makeSearch(b)],
          results: [makeResult(a, 'alpha.example'), makeResult(b, 'alpha.example', { attempts: 3 })],
          events: [makeEvent(a, 1), makeEvent(b, 1, { type: 'site:done' }), makeEvent(b, 2)],
        });

        const snapshot = await store.getSearch(a);

        expect(snapshot?.results).toStrictEqual([asSiteResult(makeResult(a, 'alpha.example'))]);
        expect(snapshot?.events).toStrictEqual([asSearchEvent(makeEvent(a, 1))]);
      });

      it('accepts an empty batch', async () => {
        await store.write({});
        await store.write({ searches: [], results: [], events: [] });

        expect(await store.listSearches()).toStrictEqual({ items: [] });
      });
    });

    describe('idempotent upserts', () => {
      it('writes nothing twice when the same batch is written twice', async () => {
        const id = searchId(1);
        const batch = {
          searches: [makeSearch(id)],
          results: [makeResult(id, 'alpha.example'), makeResult(id, 'bravo.example')],
          events: [makeEvent(id, 1), makeEvent(id, 2)],
        };
        await store.write(batch);
        await store.write(batch);

        const snapshot = await store.getSearch(id);
        const page = await store.listSearches();

        expect(snapshot?.results).toHaveLength(2);
        expect(snapshot?.events.map((e) => e.seq)).toStrictEqual([1, 2]);
        expect(page.items.map((item) => item.id)).toStrictEqual([id]);
      });

      it('replaces a search with its later state, whole', async () => {
        const id = searchId(1);
        const running = makeSearch(id, { status: 'running' });
        const completed = makeSearch(id, { status: 'completed', completedAt: T0 + 9_000 });
        await store.write({ searches: [running] });
        await store.write({ searches: [completed] });
        expect((await store.getSearch(id))?.search).toStrictEqual(completed);

        const resumed = makeSearch(id, { status: 'running', query: { name: 'Renamed', location: undefined } });
        await store.write({ searches: [resumed] });

        expect((await store.getSearch(id))?.search).toStrictEqual(resumed);
        expect((await store.listSearches()).items).toStrictEqual([asListItem(resumed)]);
      });

      it('keeps the last state when one batch holds a search twice', async () => {
        const id = searchId(1);
        const last = makeSearch(id, { summary: { found: 3, failed: 0, partial: 0 } });
        await store.write({ searches: [makeSearch(id, { status: 'running' }), last] });

        expect((await store.getSearch(id))?.search).toStrictEqual(last);
      });

      it('replaces a result with its later state in its first-written place, dropping fields it no longer has', async () => {
        const id = searchId(1);
        const retrying = makeResult(id, 'alpha.example', {
          status: 'retrying',
          outcome: undefined,
          listing: undefined,
          fields: undefined,
          error: 'timed out after 4000 ms',
          attempts: 1,
        });
        await store.write({
          searches: [makeSearch(id, { status: 'running' })],
          results: [retrying, makeResult(id, 'bravo.example')],
        });
        const done = makeResult(id, 'alpha.example', { attempts: 2, latencyMs: 310 });
        await store.write({ results: [makeResult(id, 'charlie.example'), done] });

        const snapshot = await store.getSearch(id);

        expect(snapshot?.results).toStrictEqual([
          asSiteResult(done),
          asSiteResult(makeResult(id, 'bravo.example')),
          asSiteResult(makeResult(id, 'charlie.example')),
        ]);
        expect(snapshot?.results[0]).not.toHaveProperty('error');
      });

      it('keeps an event already there instead of replacing or duplicating it', async () => {
        const id = searchId(1);
        const first = makeEvent(id, 1, { type: 'site:started', data: { attempt: 1 } });
        const impostor = makeEvent(id, 1, { type: 'site:failed', data: { attempt: 1, reason: 'other' } });
        await store.write({ searches: [makeSearch(id)], events: [first] });
        await store.write({ events: [impostor, makeEvent(id, 2)] });
        await store.write({ events: [makeEvent(id, 3), makeEvent(id, 3, { type: 'site:done' })] });

        const snapshot = await store.getSearch(id);

        expect(snapshot?.events).toStrictEqual([
          asSearchEvent(first),
          asSearchEvent(makeEvent(id, 2)),
          asSearchEvent(makeEvent(id, 3)),
        ]);
      });
    });

    describe('eventsAfter', () => {
      it('returns only the events with seq > afterSeq, in seq order', async () => {
        const id = searchId(1);
        const events = [5, 2, 4, 1, 3].map((seq) => makeEvent(id, seq));
        await store.write({ searches: [makeSearch(id)], events });
        await store.write({ events: [makeEvent(searchId(2), 4)] });

        expect((await store.eventsAfter(id, 2)).map((e) => e.seq)).toStrictEqual([3, 4, 5]);
        expect(await store.eventsAfter(id, 4)).toStrictEqual([asSearchEvent(makeEvent(id, 5))]);
        expect((await store.eventsAfter(id, 0)).map((e) => e.seq)).toStrictEqual([1, 2, 3, 4, 5]);
        expect(await store.eventsAfter(id, 5)).toStrictEqual([]);
      });

      it('returns no events for an unknown search', async () => {
        await store.write({ searches: [makeSearch(searchId(1))], events: [makeEvent(searchId(1), 1)] });

        expect(await store.eventsAfter(searchId(9), 0)).toStrictEqual([]);
      });
    });

    describe('listSearches', () => {
      it('lists history items newest first, ties broken by id descending', async () => {
        const searches = [
          makeSearch(searchId(1), { createdAt: T0 + 1_000 }),
          makeSearch(searchId(2), { createdAt: T0 + 3_000 }),
          makeSearch(searchId(3), { createdAt: T0 + 2_000, status: 'running' }),
          makeSearch(searchId(4), { createdAt: T0 + 2_000 }),
          makeSearch(searchId(5), { createdAt: T0 + 2_000, status: 'cancelled' }),
        ];
        await store.write({ searches });

        const page = await store.listSearches();

        expect(page.items).toStrictEqual(
          [searches[1], searches[4], searches[3], searches[2], searches[0]].map((s) => asListItem(s!)),
        );
        expect(page.next).toBeUndefined();
      });

      it('returns an empty page with no cursor when nothing is stored', async () => {
        expect(await store.listSearches({ limit: 5 })).toStrictEqual({ items: [] });
      });

      it('filters by status', async () => {
        const statuses = ['running', 'completed', 'cancelled', 'interrupted', 'completed', 'running'] as const;
        const searches = statuses.map((status, i) => makeSearch(searchId(i), { status, createdAt: T0 + i }));
        await store.write({ searches });

        const completed = await store.listSearches({ status: 'completed' });
        const interrupted = await store.listSearches({ status: 'interrupted' });

        expect(completed.items.map((item) => item.id)).toStrictEqual([searchId(4), searchId(1)]);
        expect(interrupted.items.map((item) => item.status)).toStrictEqual(['interrupted']);
      });

      it('pages 20 by default and clamps limit to 1–100', async () => {
        const searches = Array.from({ length: 105 }, (_, i) => makeSearch(searchId(i), { createdAt: T0 + i }));
        await store.write({ searches });

        expect((await store.listSearches()).items).toHaveLength(20);
        expect((await store.listSearches({ limit: 7 })).items).toHaveLength(7);
        expect((await store.listSearches({ limit: 0 })).items).toHaveLength(1);
        expect((await store.listSearches({ limit: -5 })).items).toHaveLength(1);
        expect((await store.listSearches({ limit: 500 })).items).toHaveLength(100);
        expect((await store.listSearches({ limit: 100 })).next).toEqual(expect.any(String));
      });

      it('pages through everything exactly once with cursors', async () => {
        // Four searches share each createdAt, so pages must split ties correctly.
        const searches = Array.from({ length: 45 }, (_, i) =>
          makeSearch(searchId(i), { createdAt: T0 + Math.floor(i / 4) * 1_000 }),
        );
        await store.write({ searches: [...searches].reverse() });

        const pages = await allPages(7);

        expect(pages.map((page) => page.length)).toStrictEqual([7, 7, 7, 7, 7, 7, 3]);
        expect(pages.flat().map((item) => item.id)).toStrictEqual(newestFirst(searches).map((s) => s.id));
      });

      it('ends with no cursor when the last page is exactly full', async () => {
        await store.write({ searches: [1, 2, 3, 4].map((n) => makeSearch(searchId(n), { createdAt: T0 + n })) });

        const pages = await allPages(2);

        expect(pages.map((page) => page.map((item) => item.id))).toStrictEqual([
          [searchId(4), searchId(3)],
          [searchId(2), searchId(1)],
        ]);
      });

      it('neither repeats nor skips items when newer searches arrive between pages', async () => {
        const searches = Array.from({ length: 10 }, (_, i) => makeSearch(searchId(i), { createdAt: T0 + i * 1_000 }));
        await store.write({ searches });

        const first = await store.listSearches({ limit: 4 });
        await store.write({
          searches: [100, 101, 102].map((n) => makeSearch(searchId(n), { createdAt: T0 + 60_000 + n })),
        });
        const second = await store.listSearches({ limit: 4, cursor: first.next });
        const third = await store.listSearches({ limit: 4, cursor: second.next });

        const seen = [...first.items, ...second.items, ...third.items].map((item) => item.id);
        expect(seen).toStrictEqual(newestFirst(searches).map((s) => s.id));
        expect(third.next).toBeUndefined();
      });

      it('pages through a filtered list with the same filter', async () => {
        const searches = Array.from({ length: 30 }, (_, i) =>
          makeSearch(searchId(i), {
            createdAt: T0 + Math.floor(i / 3) * 1_000,
            status: i % 2 === 0 ? 'completed' : 'cancelled',
            query: { name: i % 3 === 0 ? `Pizza Place ${i}` : `Bagel Shop ${i}` },
          }),
        );
        await store.write({ searches });

        const pages = await allPages(3, { q: 'pizza', status: 'completed' });

        const expected = newestFirst(searches).filter(
          (s) => s.status === 'completed' && s.query.name.startsWith('Pizza'),
        );
        expect(expected).toHaveLength(5);
        expect(pages.flat().map((item) => item.id)).toStrictEqual(expected.map((s) => s.id));
      });

      it.each([
        ['text that is not a cursor', 'not a cursor!'],
        ['a truncated token', 'eyJ'],
        ['base64url of an object', Buffer.from('{"x":1}').toString('base64url')],
        ['base64url of plain text', Buffer.from('hello').toString('base64url')],
        ['an empty array', Buffer.from('[]').toString('base64url')],
      ])('throws ValidationError for %s', async (_label, cursor) => {
        await store.write({ searches: [makeSearch(searchId(1))] });

        await expect(store.listSearches({ cursor })).rejects.toBeInstanceOf(ValidationError);
      });
    });

    describe('full-text q', () => {
      const pizzaBrooklyn = makeSearch(searchId(1), {
        createdAt: T0 + 1,
        query: { name: "Joe's Pizza", location: 'Brooklyn, NY 11201' },
      });
      const pizzaDallas = makeSearch(searchId(2), {
        createdAt: T0 + 2,
        query: { name: 'Pizza Hut', location: 'Dallas, TX' },
      });
      const coffee = makeSearch(searchId(3), {
        createdAt: T0 + 3,
        query: { name: 'Blue Bottle Coffee', location: 'Oakland, CA' },
      });
      const cafe = makeSearch(searchId(4), {
        createdAt: T0 + 4,
        query: { name: 'Café Ñandú', location: 'Montevideo' },
      });
      const arabic = makeSearch(searchId(5), {
        createdAt: T0 + 5,
        query: { name: 'مطعم الشام', location: 'دمشق' },
      });
      // Its listing says "Pizza Palace", but only the query's name and location are searched.
      const laundromat = makeSearch(searchId(6), {
        createdAt: T0 + 6,
        query: { name: 'Riverside Laundromat', location: undefined, phone: '+1 555 0199 pizza' },
      });
      const all = [pizzaBrooklyn, pizzaDallas, coffee, cafe, arabic, laundromat];

      beforeEach(async () => {
        await store.write({
          searches: all,
          results: [
            makeResult(laundromat.id, 'alpha.example', {
              listing: { name: 'Pizza Palace', address: 'Oakland' },
            }),
          ],
        });
      });

      async function idsFor(q: string): Promise<string[]> {
        const page = await store.listSearches({ q, limit: 100 });
        return page.items.map((item) => item.id);
      }

      const ids = (...searches: Search[]) => newestFirst(searches).map((s) => s.id);

      it('matches whole words of the name, case-insensitively', async () => {
        expect(await idsFor('pizza')).toStrictEqual(ids(pizzaBrooklyn, pizzaDallas));
        expect(await idsFor('PiZZa')).toStrictEqual(ids(pizzaBrooklyn, pizzaDallas));
        expect(await idsFor('COFFEE')).toStrictEqual(ids(coffee));
        expect(await idsFor('ÑANDÚ')).toStrictEqual(ids(cafe));
        expect(await idsFor('الشام')).toStrictEqual(ids(arabic));
      });

      it('matches words of the location, and requires every word across name and location', async () => {
        expect(await idsFor('oakland')).toStrictEqual(ids(coffee));
        expect(await idsFor('11201')).toStrictEqual(ids(pizzaBrooklyn));
        expect(await idsFor('pizza dallas')).toStrictEqual(ids(pizzaDallas));
        expect(await idsFor('coffee dallas')).toStrictEqual([]);
        expect(await idsFor('  pizza   brooklyn  ')).toStrictEqual(ids(pizzaBrooklyn));
      });

      it('matches the last word as a prefix', async () => {
        expect(await idsFor('piz')).toStrictEqual(ids(pizzaBrooklyn, pizzaDallas));
        expect(await idsFor('blue bott')).toStrictEqual(ids(coffee));
        expect(await idsFor('pizza bro')).toStrictEqual(ids(pizzaBrooklyn));
        expect(await idsFor('الش')).toStrictEqual(ids(arabic));
        expect(await idsFor('pizzas')).toStrictEqual([]);
      });

      it('searches only the business name and location', async () => {
        expect(await idsFor('palace')).toStrictEqual([]);
        expect(await idsFor('riverside')).toStrictEqual(ids(laundromat));
        expect(await idsFor('0199')).toStrictEqual([]);
        expect(await idsFor(searchId(1))).toStrictEqual([]);
      });

      it('filters nothing when q has no words', async () => {
        for (const q of ['', '   ', '"', '*', '()', '-', ':', '"*:()-^+', '🍕']) {
          expect(await idsFor(q), `q ${JSON.stringify(q)}`).toStrictEqual(ids(...all));
        }
      });

      it.each([
        ['"pizza"', [pizzaBrooklyn, pizzaDallas]],
        ['"pizza', [pizzaBrooklyn, pizzaDallas]],
        ['pizza*', [pizzaBrooklyn, pizzaDallas]],
        ['*pizza', [pizzaBrooklyn, pizzaDallas]],
        ['(pizza)', [pizzaBrooklyn, pizzaDallas]],
        ['-pizza', [pizzaBrooklyn, pizzaDallas]],
        ['^pizza', [pizzaBrooklyn, pizzaDallas]],
        ['+pizza;', [pizzaBrooklyn, pizzaDallas]],
        ['{pizza}', [pizzaBrooklyn, pizzaDallas]],
        ['pizza -brooklyn', [pizzaBrooklyn]],
        ['pizza NOT brooklyn', []],
        ['brooklyn OR dallas', []],
        ['pizza AND', []],
        ['AND', []],
        ['OR', []],
        ['NOT', []],
        ['name:pizza', []],
        ['location : oakland', []],
        ['NEAR(pizza brooklyn)', []],
        ["joe's", [pizzaBrooklyn]],
        ['pizza\\', [pizzaBrooklyn, pizzaDallas]],
        ["'; DROP TABLE searches; --", []],
      ] as const)('treats %j as plain text', async (q, expected) => {
        expect(await idsFor(q)).toStrictEqual(ids(...expected));
        expect((await store.listSearches({ limit: 100 })).items).toHaveLength(all.length);
      });

      it('combines q with status', async () => {
        await store.write({ searches: [{ ...pizzaDallas, status: 'cancelled' }] });

        const page = await store.listSearches({ q: 'pizza', status: 'completed' });

        expect(page.items.map((item) => item.id)).toStrictEqual([pizzaBrooklyn.id]);
      });

      it('follows a search whose name changes', async () => {
        await store.write({ searches: [makeSearch(coffee.id, { ...coffee, query: { name: 'Ritual Roasters' } })] });

        expect(await idsFor('bottle')).toStrictEqual([]);
        expect(await idsFor('oakland')).toStrictEqual([]);
        expect(await idsFor('ritual')).toStrictEqual([coffee.id]);
      });
    });

    describe('owners', () => {
      const [ana, bo] = ['owner-ana', 'owner-bo'];
      const owned = (id: string, owner: string, createdAt: number) => ({ searchId: id, owner, createdAt });

      it('lists only the searches recorded under an owner, newest first, paged', async () => {
        const searches = Array.from({ length: 9 }, (_, i) => makeSearch(searchId(i), { createdAt: T0 + i * 1_000 }));
        await store.write({ searches });
        // Ana started the even ones, Bo the odd ones but the last, which nobody owns.
        await store.write({
          owners: searches.slice(0, 8).map((search, i) => owned(search.id, i % 2 === 0 ? ana : bo, search.createdAt)),
        });

        expect((await allPages(2, { owner: ana })).flat().map((item) => item.id)).toStrictEqual(
          [6, 4, 2, 0].map(searchId),
        );
        expect((await store.listSearches({ owner: bo })).items.map((item) => item.id)).toStrictEqual([7, 5, 3, 1].map(searchId));
        expect((await store.listSearches({ owner: 'owner-nobody' })).items).toStrictEqual([]);
        expect((await store.listSearches({ limit: 100 })).items).toHaveLength(9);
      });

      it('finds an owner written before its search, keeps the first owner, and combines with q and status', async () => {
        const pizza = makeSearch(searchId(1), { query: { name: 'Pizza Place' }, createdAt: T0 + 1 });
        const bakery = makeSearch(searchId(2), { query: { name: 'Pizza Bakery' }, status: 'cancelled', createdAt: T0 + 2 });
        await store.write({ owners: [owned(pizza.id, ana, pizza.createdAt), owned(bakery.id, ana, bakery.createdAt)] });
        await store.write({ searches: [pizza, bakery], owners: [owned(pizza.id, bo, pizza.createdAt)] });

        expect((await store.listSearches({ owner: ana })).items.map((item) => item.id)).toStrictEqual([bakery.id, pizza.id]);
        expect((await store.listSearches({ owner: bo })).items).toStrictEqual([]);
        expect((await store.listSearches({ owner: ana, q: 'pizza', status: 'completed' })).items.map((item) => item.id)).toStrictEqual([pizza.id]);
      });

      it('keeps owners across a restart', async () => {
        const search = makeSearch(searchId(1));
        await store.write({ searches: [search], owners: [owned(search.id, ana, search.createdAt)] });
        await restart();

        expect((await store.listSearches({ owner: ana })).items).toStrictEqual([asListItem(search)]);
      });
    });

    describe('previousScan', () => {
      const joes = { name: "Joe's Pizza", location: 'Brooklyn, NY', phone: '(718) 555-0134' };
      const key = scanKeyOf(joes);
      const scan = (n: number, overrides: Parameters<typeof makeSearch>[1] = {}) =>
        makeSearch(searchId(n), { query: joes, createdAt: T0 + n * 60_000, ...overrides });

      it('finds the newest completed scan of the business before the given time, with its results', async () => {
        const older = scan(1);
        const newer = scan(2, { query: { name: 'JOE’S  PIZZA', location: 'brooklyn ny', phone: '+1 718-555-0134' } });
        const cancelled = scan(3, { status: 'cancelled' });
        const running = scan(4, { status: 'running' });
        const elsewhere = scan(5, { query: { ...joes, location: 'Queens, NY' } });
        const withoutPhone = scan(6, { query: { name: joes.name, location: joes.location } });
        const current = scan(7, { status: 'running' });
        const later = scan(8);
        await store.write({
          searches: [older, newer, cancelled, running, elsewhere, withoutPhone, current, later],
          results: [
            makeResult(newer.id, 'yelp'),
            makeResult(newer.id, 'bbb', { outcome: 'partial', fields: { phone: 'mismatch' } }),
            makeResult(older.id, 'yelp', { outcome: 'not_found' }),
          ],
        });

        const previous = await store.previousScan({ scanKey: key, before: current.createdAt });
        expect(previous?.search).toStrictEqual(newer);
        expect(previous?.results.map((result) => [result.siteId, result.outcome, result.fields?.phone])).toStrictEqual([
          ['yelp', 'found', 'match'],
          ['bbb', 'partial', 'mismatch'],
        ]);
        expect((await store.previousScan({ scanKey: key, before: newer.createdAt }))?.search.id).toBe(older.id);
        expect(await store.previousScan({ scanKey: key, before: older.createdAt })).toBeUndefined();
        expect(await store.previousScan({ scanKey: scanKeyOf({ name: 'Nobody' }), before: later.createdAt + 1 })).toBeUndefined();
      });

      it("with sameOwnerAs, looks only among the searches of that search's owner", async () => {
        const [ana, bo] = [scan(1), scan(2)];
        const anaAgain = scan(3, { status: 'running' });
        const nobodys = scan(4, { status: 'running' });
        await store.write({
          searches: [ana, bo, anaAgain, nobodys],
          owners: [
            { searchId: ana.id, owner: 'owner-ana', createdAt: ana.createdAt },
            { searchId: bo.id, owner: 'owner-bo', createdAt: bo.createdAt },
            { searchId: anaAgain.id, owner: 'owner-ana', createdAt: anaAgain.createdAt },
          ],
        });

        expect((await store.previousScan({ scanKey: key, before: anaAgain.createdAt }))?.search.id).toBe(bo.id);
        expect((await store.previousScan({ scanKey: key, before: anaAgain.createdAt, sameOwnerAs: anaAgain.id }))?.search.id).toBe(ana.id);
        expect(await store.previousScan({ scanKey: key, before: nobodys.createdAt, sameOwnerAs: nobodys.id })).toBeUndefined();
      });

      it('finds the previous scan across a restart', async () => {
        const earlier = scan(1);
        await store.write({ searches: [earlier], results: [makeResult(earlier.id, 'yelp')] });
        await restart();

        const previous = await store.previousScan({ scanKey: key, before: T0 + 10 * 60_000 });
        expect(previous?.search).toStrictEqual(earlier);
        expect(previous?.results).toHaveLength(1);
      });
    });

    describe('bulk runs', () => {
      const runOf = (id: string, searchIds: readonly string[]) => ({
        id,
        createdAt: T0,
        searches: searchIds.map((searchId, i) => ({ line: i + 2, searchId, name: `Business ${searchId}` })),
        errors: [{ line: 99, message: 'name is empty' }],
      });

      it('reads a run back with where each of its searches stands, and nothing for an unknown id', async () => {
        const [running, done] = [searchId(1), searchId(2)];
        const run = runOf('run-1', [running, done, searchId(3)]);
        await store.write({ bulkRuns: [run] });
        await store.write({
          searches: [makeSearch(running, { status: 'running' }), makeSearch(done, { status: 'completed' }), makeSearch(searchId(4))],
        });

        const state = await store.getBulkRun('run-1');
        expect(state?.run).toStrictEqual(run);
        // The third search is not stored (yet): absent, not an error.
        expect(Object.fromEntries(state?.searches ?? [])).toStrictEqual({
          [running]: { status: 'running', summary: makeSearch(running, { status: 'running' }).summary },
          [done]: { status: 'completed', summary: makeSearch(done).summary },
        });
        expect(await store.getBulkRun('run-unknown')).toBeUndefined();
      });

      it('keeps each row\'s whole query and the run\'s owner as written, across a restart', async () => {
        const run = {
          ...runOf('run-3', [searchId(1), searchId(2)]),
          name: 'clients.csv',
          owner: 'owner-ana',
        };
        const withQueries = {
          ...run,
          searches: [
            { ...run.searches[0]!, query: { name: run.searches[0]!.name, location: 'Austin, TX', phone: '+15125550134', website: 'https://a.example' } },
            { ...run.searches[1]!, query: { name: run.searches[1]!.name } },
          ],
        };
        await store.write({ bulkRuns: [withQueries] });
        await restart();

        expect((await store.getBulkRun('run-3'))?.run).toStrictEqual(withQueries);
      });

      it('keeps the first record of a run id, across a restart', async () => {
        const run = runOf('run-2', [searchId(1)]);
        await store.write({ bulkRuns: [run], searches: [makeSearch(searchId(1))] });
        await store.write({ bulkRuns: [{ ...run, errors: [] }] });
        await restart();

        const state = await store.getBulkRun('run-2');
        expect(state?.run).toStrictEqual(run);
        expect(state?.searches.get(searchId(1))?.status).toBe('completed');
      });
    });

    describe('listRunning', () => {
      it('returns only running searches, each with its results and events', async () => {
        const [running, done, alsoRunning] = [searchId(1), searchId(2), searchId(3)];
        await store.write({
          searches: [
            makeSearch(running, { status: 'running', createdAt: T0 + 1 }),
            makeSearch(done, { status: 'completed', createdAt: T0 + 2 }),
            makeSearch(alsoRunning, { status: 'running', createdAt: T0 + 3 }),
            makeSearch(searchId(4), { status: 'interrupted' }),
          ],
          results: [
            makeResult(running, 'alpha.example', { status: 'running', outcome: undefined }),
            makeResult(done, 'alpha.example'),
          ],
          events: [makeEvent(running, 1), makeEvent(running, 2), makeEvent(done, 1)],
        });

        const snapshots = await store.listRunning();
        const byId = new Map(snapshots.map((s) => [s.search.id, s]));

        expect([...byId.keys()].sort()).toStrictEqual([running, alsoRunning]);
        expect(byId.get(running)).toStrictEqual(await store.getSearch(running));
        expect(byId.get(running)?.results.map((r) => r.status)).toStrictEqual(['running']);
        expect(byId.get(running)?.events.map((e) => e.seq)).toStrictEqual([1, 2]);
        expect(byId.get(alsoRunning)).toStrictEqual({
          search: makeSearch(alsoRunning, { status: 'running', createdAt: T0 + 3 }),
          results: [],
          events: [],
        });
      });

      it('drops a search once it is no longer running', async () => {
        const id = searchId(1);
        await store.write({ searches: [makeSearch(id, { status: 'running' })] });
        await store.write({ searches: [makeSearch(id, { status: 'completed' })] });

        expect(await store.listRunning()).toStrictEqual([]);
      });
    });

    describe('health', () => {
      it('reports ok with the kind of store', async () => {
        const health = await store.health();

        expect(health.status).toBe('ok');
        expect(health.kind).toMatch(/^[a-z]+$/);
      });
    });

    describe('durability', () => {
      it('keeps everything across close() and reopening', async () => {
        const id = searchId(1);
        const search = makeSearch(id, { query: { name: 'Durable Diner', location: 'Reno' } });
        await store.write({
          searches: [search, makeSearch(searchId(2), { status: 'running' })],
          results: [makeResult(id, 'bravo.example'), makeResult(id, 'alpha.example')],
          events: [makeEvent(id, 2), makeEvent(id, 1)],
        });
        const before = await store.getSearch(id);

        await restart();

        expect(before).toBeDefined();
        expect(await store.getSearch(id)).toStrictEqual(before);
        expect(await store.eventsAfter(id, 1)).toStrictEqual([asSearchEvent(makeEvent(id, 2))]);
        expect((await store.listSearches({ q: 'durable din' })).items).toStrictEqual([asListItem(search)]);
        expect((await store.listRunning()).map((s) => s.search.id)).toStrictEqual([searchId(2)]);
      });

      it('keeps upserting idempotently after reopening', async () => {
        const id = searchId(1);
        await store.write({
          searches: [makeSearch(id, { status: 'running' })],
          results: [makeResult(id, 'alpha.example', { status: 'running', outcome: undefined })],
          events: [makeEvent(id, 1)],
        });

        await restart();
        await store.write({
          searches: [makeSearch(id)],
          results: [makeResult(id, 'bravo.example'), makeResult(id, 'alpha.example')],
          events: [makeEvent(id, 1, { type: 'site:failed' }), makeEvent(id, 2)],
        });

        const snapshot = await store.getSearch(id);
        expect(snapshot?.search.status).toBe('completed');
        expect(snapshot?.results.map((r) => [r.siteId, r.status])).toStrictEqual([
          ['alpha.example', 'done'],
          ['bravo.example', 'done'],
        ]);
        expect(snapshot?.events.map((e) => [e.seq, e.type])).toStrictEqual([
          [1, 'site:started'],
          [2, 'site:started'],
        ]);
      });
    });

    describe('untrusted text', () => {
      it.each([
        ['emoji', '🍕 Pizza 🇮🇹 👩🏽‍🍳'],
        ['right-to-left text', 'مطعم الشام — פלאפל'],
        ['combining characters (not normalised)', 'Cafe\u0301 Zo\u0308e'],
        ['CJK', '東京ラーメン 한식당'],
        ['zero-width and control characters', 'A\u200bB\u200d\tC\nD'],
      ])('round-trips %s exactly', async (_label, text) => {
        const id = searchId(1);
        const search = makeSearch(id, { query: { name: text, location: text } });
        const result = makeResult(id, 'alpha.example', {
          siteName: text,
          error: text,
          listing: { name: text, address: text, phone: text, website: text, url: `https://a.example/${text}` },
        });
        const event = makeEvent(id, 1, {
          type: 'site:done',
          data: { attempt: 1, latencyMs: 1, outcome: 'found', score: 1, listing: result.listing },
        });
        const failed = makeEvent(id, 2, { type: 'site:failed', data: { attempt: 1, reason: text } });
        await store.write({ searches: [search], results: [result], events: [event, failed] });

        const snapshot = await store.getSearch(id);

        expect(snapshot).toStrictEqual({
          search,
          results: [asSiteResult(result)],
          events: [asSearchEvent(event), asSearchEvent(failed)],
        });
        expect(snapshot?.search.query.name).toBe(text);
        expect((await store.listSearches()).items[0]?.query.name).toBe(text);
      });

      it('round-trips markup, script and SQL text as exact text', async () => {
        const id = searchId(1);
        const nasty = [
          '<script>alert("x")</script>',
          '<img src=x onerror=alert(1)>',
          'Tom &amp; Jerry&#39;s &lt;Diner&gt;',
          "'; DROP TABLE searches; --",
          '{"$where": "1 == 1"}',
          '\\" OR 1=1 --',
        ];
        const search = makeSearch(id, { query: { name: nasty[0]!, location: nasty[1]! } });
        const results = nasty.map((text, i) =>
          makeResult(id, `site-${i}.example`, {
            siteName: text,
            error: text,
            listing: { name: text, address: text, phone: text, website: text, url: text },
          }),
        );
        await store.write({ searches: [search], results });

        const snapshot = await store.getSearch(id);

        expect(snapshot?.search).toStrictEqual(search);
        expect(snapshot?.results).toStrictEqual(results.map(asSiteResult));
        expect(snapshot?.results.map((r) => r.listing?.name)).toStrictEqual(nasty);
        expect((await store.listSearches({ q: 'script alert' })).items.map((item) => item.id)).toStrictEqual([id]);
      });
    });
  });
}
