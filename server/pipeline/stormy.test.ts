/**
 * Reliability on a bad day: the sandbox's `stormy` profile (5xx storms, hangs, truncated and
 * malformed bodies, slow first bytes, bot walls and redesigned pages, 429s and blocks on every
 * site) against the whole pipeline.
 *
 *   20 searches × every site ──▶ pipeline ──▶ stormy sandbox
 *                                   │
 *                                   └─▶ per search: ends by deadline + grace, log 1..n, one end per site
 *
 * What must hold whatever the network does: no unhandled rejection, no stuck search (each ends by
 * its deadline plus a small grace), every log contiguous, every site job ended exactly once, and
 * a failure is reported as `failed`/`skipped` with a reason — never as `done` with garbage, and
 * never as `not_found` for a business the site lists (`/__sandbox/truth`) when a calm day finds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSiteEndEvent, isTerminalStatus, type BusinessQuery, type SearchSnapshot, type SiteResult } from '../../lib/types';
import { reasonOf } from '../../lib/search-state';
import { startTestSitescan, type TestSitescan } from '../test-support';
import { PAGE_NOT_RECOGNISED_REASON } from './attempt';

const SEARCHES = 20;
const DEADLINE_MS = 3_000;
/**
 * Deadline timers fire on a busy event loop (20 searches × 30+ sites on 2 cores): measured up to
 * 275 ms late with other test files running beside this one.
 */
const GRACE_MS = 750;

describe('pipeline against the stormy sandbox', () => {
  let app: TestSitescan;
  const unhandled: unknown[] = [];
  const collect = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', collect);
    app = await startTestSitescan({
      SANDBOX_PROFILE: 'stormy',
      SANDBOX_SPEED: '0.3',
      SEARCH_DEADLINE_MS: String(DEADLINE_MS),
    });
  });
  afterAll(async () => {
    await app?.dispose();
    process.off('unhandledRejection', collect);
  });

  it(
    'ends every search by its deadline with a contiguous log, one end per site job and a reason for every failure',
    async () => {
      const sandbox = app.sandbox!;
      const businesses = sandbox.dataset.businesses.slice(0, SEARCHES);
      // Searches arrive in four waves, so some start while others are mid-storm.
      const runs: Promise<{ snapshot: SearchSnapshot; elapsedMs: number; businessId: string }>[] = [];
      for (const [index, business] of businesses.entries()) {
        if (index > 0 && index % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 200));
        const started = Date.now();
        const { id } = await app.services.searches.create({
          name: business.name,
          location: `${business.city}, ${business.state}`,
          ...(index % 2 === 0 ? { phone: business.phone } : {}),
        });
        runs.push(
          app.services.searches.whenEnded(id).then((snapshot) => ({ snapshot, elapsedMs: Date.now() - started, businessId: business.id })),
        );
      }
      const ended = await Promise.all(runs);

      let done = 0;
      let failed = 0;
      let unrecognised = 0;
      const suspects: { query: BusinessQuery; businessId: string; result: SiteResult }[] = [];
      for (const { snapshot, elapsedMs, businessId } of ended) {
        const { search, results, events } = snapshot;
        const label = `search ${search.id} (${businessId})`;

        expect(search.status, label).toBe('completed');
        expect(elapsedMs, `${label} ended ${elapsedMs} ms after it was submitted`).toBeLessThanOrEqual(DEADLINE_MS + GRACE_MS);
        expect(search.completedAt! - search.createdAt, label).toBeLessThanOrEqual(DEADLINE_MS + GRACE_MS);

        expect(events.map((event) => event.seq), `${label}: seqs 1..n`).toEqual(events.map((_, i) => i + 1));
        expect(events[0]!.type).toBe('search:created');
        expect(events.at(-1)!.type, label).toBe('search:completed');
        expect(events.filter((event) => event.type.startsWith('search:')).map((event) => event.type)).toEqual([
          'search:created',
          'search:completed',
        ]);

        for (const result of results) {
          const siteEvents = events.filter((event) => event.siteId === result.siteId);
          const terminal = siteEvents.filter(isSiteEndEvent);
          expect(terminal, `${label}: ${result.siteId} ends exactly once`).toHaveLength(1);
          expect(siteEvents.at(-1), `${label}: nothing happens to ${result.siteId} after it ended`).toBe(terminal[0]);
          expect(isTerminalStatus(result.status), `${label}: ${result.siteId} is ${result.status}`).toBe(true);

          if (result.status === 'failed' || result.status === 'skipped') {
            failed++;
            if (result.error === PAGE_NOT_RECOGNISED_REASON) unrecognised++;
            expect(result.error, `${label}: ${result.siteId} ${result.status} without a reason`).toMatch(/\S/);
            expect(reasonOf(terminal[0]!), `${label}: ${result.siteId} event without a reason`).toMatch(/\S/);
            continue;
          }
          expect(result.status, `${label}: ${result.siteId}`).toBe('done');
          done++;
          // A done job whose answer differs from the ground truth is checked again on a calm day below.
          const truth = sandbox.dataset.listingFor(result.siteId, businessId);
          const listed = !result.listing || sandbox.dataset.listings(result.siteId).some((listing) => listing.name === result.listing!.name);
          if (!listed || result.listing?.name !== truth?.name) suspects.push({ query: search.query, businessId, result });
        }
      }

      // The storm really blew: every kind of fault was served, and jobs both failed and succeeded.
      const faults = { serverError: 0, hang: 0, truncated: 0, malformed: 0, slowFirstByte: 0, wall: 0, layoutChanged: 0 };
      for (const site of Object.values(sandbox.stats().sites)) {
        for (const kind of Object.keys(faults) as (keyof typeof faults)[]) faults[kind] += site.faults[kind];
      }
      for (const [kind, count] of Object.entries(faults)) expect(count, `${kind} faults served`).toBeGreaterThan(0);
      expect(done).toBeGreaterThan(0);
      expect(failed).toBeGreaterThan(0);
      expect(unrecognised, 'redesigned pages end failed "page not recognised"').toBeGreaterThan(0);

      // Every "not listed" of a business the site lists, by the sandbox's own account.
      const listedButNotFound = new Set<SiteResult>();
      await Promise.all(
        suspects
          .filter(({ result }) => result.status === 'done' && result.outcome === 'not_found')
          .map(async ({ businessId, result }) => {
            const truth = (await (await fetch(`${sandbox.url}/__sandbox/truth?site=${encodeURIComponent(result.siteId)}&business=${businessId}`)).json()) as {
              listing: unknown;
            };
            if (truth.listing !== null) listedButNotFound.add(result);
          }),
      );

      // Aborted hangs and cut bodies settle after the searches end: close everything, then look.
      await app.dispose();
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);

      // A done job must report what the site answers on a calm day (the matcher may still pick
      // another business than the ground truth: that is matching, not garbage), never what a cut
      // or malformed body looked like.
      const calm = await startTestSitescan({ SANDBOX_PROFILE: 'calm', SANDBOX_SPEED: '0.05', SEARCH_DEADLINE_MS: '20000' });
      try {
        const garbage: string[] = [];
        const falseNotFound: string[] = [];
        await Promise.all(
          suspects.map(async ({ query, businessId, result }) => {
            const { id } = await calm.services.searches.create(query, { sites: [result.siteId] });
            const reference = (await calm.services.searches.whenEnded(id)).results[0]!;
            const got = `${result.status}/${result.outcome} ${JSON.stringify(result.listing?.name ?? null)}`;
            const want = `${reference.status}/${reference.outcome} ${JSON.stringify(reference.listing?.name ?? null)}`;
            if (got !== want) garbage.push(`${businessId} on ${result.siteId}: stormy ${got}, calm ${want}`);
            // Listed, and found on a calm day: the storm (a wall, a redesign) made it "not listed".
            if (listedButNotFound.has(result) && reference.outcome !== 'not_found') falseNotFound.push(`${businessId} on ${result.siteId}: calm ${want}`);
          }),
        );
        expect(falseNotFound, 'not_found for a listed business that a calm day finds').toEqual([]);
        expect(garbage, 'done jobs whose answer is not what the site answers on a calm day').toEqual([]);
      } finally {
        await calm.dispose();
      }
    },
    30_000,
  );
});
