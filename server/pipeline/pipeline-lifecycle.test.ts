/**
 * The search's life on a fake clock: deadline, retries within the deadline, a failed shared
 * request, cancel in flight. Sites are scripted connectors; nothing touches the network.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SearchEvent, SearchSnapshot } from '../../lib/types';
import { reasonOf } from '../../lib/search-state';
import { TransientSiteError, UnrecoverableSiteError } from '../errors';
import { ScriptedConnector, scriptedPipeline } from './test-support';
import { MIN_ATTEMPT_MS } from './attempt';
import { DEADLINE_LEAD_MS } from './pipeline';
import { ABORT_MARGIN_MS } from './site-requester';

const found = { listings: [{ name: 'Blue Door Bakery' }] };

function eventsOf(snapshot: SearchSnapshot, siteId: string): SearchEvent[] {
  return snapshot.events.filter((event) => event.siteId === siteId);
}

function expectContiguous(snapshot: SearchSnapshot): void {
  expect(snapshot.events.map((event) => event.seq)).toEqual(snapshot.events.map((_, index) => index + 1));
}

let close: (() => Promise<void>) | undefined;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(async () => {
  const closing = close?.();
  close = undefined;
  await vi.runOnlyPendingTimersAsync();
  await closing;
  vi.useRealTimers();
});

describe('Pipeline on a fake clock', () => {
  it('fails jobs still open at the deadline with reason deadline and completes the search by then', async () => {
    const quick = new ScriptedConnector('quick.test', [{ afterMs: 100, answer: found }]);
    const hung = new ScriptedConnector('hung.test', [{ afterMs: 60_000, answer: found }], { retries: 0, timeoutMs: 10_000 });
    const { pipeline, snapshot } = scriptedPipeline([quick, hung], { searchDeadlineMs: 5_000 });
    close = () => pipeline.close(0);
    const search = pipeline.submit({ name: 'Blue Door Bakery' });

    // The deadline's timer is set DEADLINE_LEAD_MS early, so a late timer still ends it by the deadline.
    await vi.advanceTimersByTimeAsync(4_999 - DEADLINE_LEAD_MS);
    expect(snapshot(search.id).search.status).toBe('running');
    expect(snapshot(search.id).results.find((r) => r.siteId === 'quick.test')).toMatchObject({ status: 'done', outcome: 'found' });

    await vi.advanceTimersByTimeAsync(1);
    const ended = snapshot(search.id);
    expect(ended.search).toMatchObject({ status: 'completed', completedAt: search.deadlineAt - DEADLINE_LEAD_MS });
    expect(Math.max(...ended.events.map((e) => e.at))).toBeLessThanOrEqual(search.deadlineAt);
    expect(ended.results.find((r) => r.siteId === 'hung.test')).toMatchObject({ status: 'failed', error: 'deadline' });
    expect(hung.requests[0]!.signal.aborted).toBe(true);
    expectContiguous(ended);
    expect(ended.events.filter((e) => e.type === 'search:completed')).toHaveLength(1);
  });

  it('retries a failing site after its backoff while the deadline leaves time, then gives up', async () => {
    const flaky = new ScriptedConnector(
      'flaky.test',
      [
        { afterMs: 50, error: new TransientSiteError('flaky.test', '503') },
        { afterMs: 50, error: new TransientSiteError('flaky.test', '503') },
        { afterMs: 50, answer: found },
      ],
      { retries: 2 },
    );
    const { pipeline, snapshot } = scriptedPipeline([flaky], { searchDeadlineMs: 5_000 });
    close = () => pipeline.close(0);
    const search = pipeline.submit({ name: 'Blue Door Bakery' });
    await vi.advanceTimersByTimeAsync(5_000);

    const ended = snapshot(search.id);
    expect(ended.results[0]).toMatchObject({ status: 'done', outcome: 'found', attempts: 3 });
    const retries = eventsOf(ended, 'flaky.test').filter((e) => e.type === 'site:retrying');
    expect(retries).toHaveLength(2);
    // Each request waited out the backoff its retry event announced.
    for (const [index, retry] of retries.entries()) {
      expect(flaky.requests[index + 1]!.at - retry.at).toBeGreaterThanOrEqual(retry.data.delayMs);
    }
    expectContiguous(ended);
  });

  it("keeps a retrying job's slot through its backoff: a job queued behind it waits its turn", async () => {
    // One request at a time; the first search's request fails at 100 ms, the second's job waits.
    const single = new ScriptedConnector(
      'single.test',
      [
        { afterMs: 100, error: new TransientSiteError('single.test', 'answered 502') },
        { afterMs: 300, answer: found },
        { afterMs: 300, answer: found },
      ],
      { limits: { concurrency: 1, requests: 10, perMs: 1_000 } },
    );
    const { pipeline, snapshot } = scriptedPipeline([single], { searchDeadlineMs: 5_000 });
    close = () => pipeline.close(0);
    const first = pipeline.submit({ name: 'Blue Door Bakery' });
    const second = pipeline.submit({ name: 'Red Door Bakery' });
    await vi.advanceTimersByTimeAsync(2_000);

    // The retry went before the queued job, right after its backoff — not after the other's request.
    expect(single.requests.map((request) => request.query.name)).toEqual(['Blue Door Bakery', 'Blue Door Bakery', 'Red Door Bakery']);
    const retry = eventsOf(snapshot(first.id), 'single.test').find((e) => e.type === 'site:retrying')!;
    if (retry.type !== 'site:retrying') throw new Error('expected a site:retrying event');
    expect(single.requests[1]!.at - retry.at).toBe(retry.data.delayMs);
    for (const id of [first.id, second.id]) expect(snapshot(id).results[0]!.status).toBe('done');
    // Never two requests at once on a site of one.
    expect(single.requests[2]!.at).toBeGreaterThanOrEqual(single.requests[1]!.at + 300);
  });

  it('plans no retry that cannot start before the deadline', async () => {
    const down = new ScriptedConnector('down.test', [{ afterMs: 100, error: new TransientSiteError('down.test', '503') }], {
      retries: 10,
    });
    const { pipeline, snapshot } = scriptedPipeline([down], { searchDeadlineMs: 1_000 });
    close = () => pipeline.close(0);
    const search = pipeline.submit({ name: 'Blue Door Bakery' });
    await vi.advanceTimersByTimeAsync(1_000);

    const ended = snapshot(search.id);
    expect(ended.results[0]!.status).toBe('failed');
    expect(ended.results[0]!.error).toMatch(/no time left for a retry$/);
    expect(ended.search.completedAt).toBeLessThan(search.deadlineAt);
    // Every attempt started early enough to have MIN_ATTEMPT_MS before the deadline.
    for (const request of down.requests) expect(request.at + MIN_ATTEMPT_MS).toBeLessThanOrEqual(search.deadlineAt);
    expect(down.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('requeues a job whose shared request failed, and it tries on its own', async () => {
    const site = new ScriptedConnector('shared.test', [
      { afterMs: 300, error: new UnrecoverableSiteError('shared.test', 'page not recognised') },
      { afterMs: 100, answer: found },
    ]);
    const { pipeline, snapshot } = scriptedPipeline([site]);
    close = () => pipeline.close(0);
    const first = pipeline.submit({ name: 'Blue Door Bakery' });
    await vi.advanceTimersByTimeAsync(100);
    const second = pipeline.submit({ name: 'blue  door bakery' });
    // The second search rides on the first one's request, which is in flight.
    expect(eventsOf(snapshot(second.id), 'shared.test').map((e) => [e.type, reasonOf(e)])).toEqual([
      ['site:scheduled', undefined],
      ['site:started', 'coalesced'],
    ]);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(snapshot(first.id).results[0]).toMatchObject({ status: 'failed', error: 'shared.test: page not recognised' });
    expect(snapshot(second.id).results[0]).toMatchObject({ status: 'done', outcome: 'found', attempts: 1 });
    expect(site.requests).toHaveLength(2);
    expectContiguous(snapshot(second.id));
  });

  it('cancels a search in flight: its request is aborted and its slot goes to the next search', async () => {
    const slow = new ScriptedConnector('slow.test', [{ afterMs: 2_000, answer: found }], {
      limits: { concurrency: 1, requests: 10, perMs: 1000 },
    });
    const { pipeline, snapshot } = scriptedPipeline([slow]);
    close = () => pipeline.close(0);
    const first = pipeline.submit({ name: 'First Bakery' });
    const second = pipeline.submit({ name: 'Second Bakery' });
    await vi.advanceTimersByTimeAsync(500);
    expect(slow.requests.map((r) => r.query.name)).toEqual(['First Bakery']);
    expect(snapshot(second.id).results[0]!.status).toBe('pending');

    expect(pipeline.cancel(first.id)).toBe(true);
    expect(slow.requests[0]!.signal.aborted).toBe(true);
    expect(snapshot(first.id).search.status).toBe('cancelled');
    expect(snapshot(first.id).results[0]!.status).toBe('cancelled');

    // The slot comes back once the aborted request has had ABORT_MARGIN_MS to reach the site.
    await vi.advanceTimersByTimeAsync(ABORT_MARGIN_MS - 5);
    expect(slow.requests.map((r) => r.query.name)).toEqual(['First Bakery']);
    await vi.advanceTimersByTimeAsync(10);
    expect(slow.requests.map((r) => r.query.name)).toEqual(['First Bakery', 'Second Bakery']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(snapshot(second.id).results[0]).toMatchObject({ status: 'done', outcome: 'not_found' });
    expect(pipeline.cancel(first.id)).toBe(false);
    expectContiguous(snapshot(first.id));
  });
});
