/**
 * The sandbox's verdict on a client that keeps the limits with a margin: never refused, never
 * reported as exceeding, and yet using the whole window. Run alone (the `processes` project):
 * the verdict is made from arrival stamps, and on a loaded 2-core machine a stalled event loop
 * delays one window's last arrival into the next, which reads as a burst the client never sent.
 * The sandbox runs in its own worker thread, as it does for sitescan, so the client's loop does
 * not stamp its arrivals.
 */
import PQueue from 'p-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index';
import { CLIENT_MARGIN_MS, definitionOf, searchUrl, spec } from './testing/site-urls';

/**
 * The client's margin on each window. sitescan's own (CLIENT_MARGIN_MS, 50 ms) is judged with
 * sitescan itself in `pipeline-under-load.test.ts`; this test judges the sandbox, whose arrival
 * stamps on a 2-core machine under load drift by more than 50 ms (a window's last request stamped
 * late, seen in CI and in 4 of 6 runs beside two busy processes), so it keeps a wider one.
 */
const MARGIN_MS = 5 * CLIENT_MARGIN_MS;

describe('sandbox server: a client that keeps the limits', () => {
  let fast: Sandbox;
  beforeAll(async () => {
    fast = await startSandbox({ speed: 0.2, businesses: 500, profile: 'calm' });
  });
  afterAll(() => fast.close());

  it('never refuses a client that keeps the limits, and lets it use all of them', async () => {
    // The client's connections open first, as a running sitescan's are.
    await Promise.all(Array.from({ length: 48 }, async () => (await fetch(`${fast.url}/__sandbox/sites`)).arrayBuffer()));
    fast.reset();
    const run = (siteId: string, count: number) => {
      const { limits } = spec(siteId);
      // The way sitescan's site consumers keep limits: p-queue, strict sliding window, a margin.
      const queue = new PQueue({ concurrency: limits.concurrency, intervalCap: limits.requests, interval: limits.perMs + MARGIN_MS, strict: true });
      const definition = definitionOf(fast, siteId);
      return Promise.all(
        Array.from({ length: count }, (_, i) =>
          queue.add(async () => {
            const response = await fetch(searchUrl(definition, { name: ['Plumbing', 'Dental', 'Cafe', 'Pizza'][i % 4]! }));
            await response.arrayBuffer();
            return response.status;
          }),
        ),
      );
    };
    // Sequential, starts spaced by perMs / requests plus the margin: the simplest compliant client.
    const sequential = async (siteId: string, count: number) => {
      const { limits } = spec(siteId);
      const url = searchUrl(definitionOf(fast, siteId), { name: 'Roofing' });
      const results: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const response = await fetch(url);
        await response.arrayBuffer();
        results.push(response.status);
        const wait = (limits.perMs + MARGIN_MS) / limits.requests - (performance.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      return results;
    };
    const [elocal, yellowyello, showmelocal] = await Promise.all([run('elocal.com', 41), run('yellowyello.com', 11), sequential('showmelocal.com', 10)]);
    expect([...elocal, ...yellowyello, ...showmelocal].every((status) => status === 200)).toBe(true);
    const { sites } = fast.stats();
    for (const siteId of ['elocal.com', 'yellowyello.com', 'showmelocal.com']) {
      const { limits } = spec(siteId);
      expect(sites[siteId], siteId).toMatchObject({ rateLimited: 0, exceeded: false });
      expect(sites[siteId]!.maxArrivalsInWindow, siteId).toBeLessThanOrEqual(limits.requests);
      expect(sites[siteId]!.maxConcurrency, siteId).toBeLessThanOrEqual(limits.concurrency);
    }
    // The queued clients used the whole window, so "not exceeded" is a real verdict.
    expect(sites['elocal.com']!.maxArrivalsInWindow).toBe(20);
    expect(sites['yellowyello.com']!.maxArrivalsInWindow).toBe(5);
    expect(sites['yellowyello.com']!.maxConcurrency).toBe(2);
  });
});
