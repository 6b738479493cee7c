/**
 * Hedged requests on a fake clock: a scripted site, the requester's own send window, and a
 * scheduler stand-in that lends slots and counts them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestSupersededError, TransientSiteError } from '../errors';
import type { SiteAnswer } from '../sites/connector';
import type { SiteLimits } from '../sites/site-definition';
import { AnswerCache } from './answer-cache';
import type { SiteRateFeedback, SpareSlot } from './scheduler';
import { ABORT_MARGIN_MS, SiteRequester, type SiteRequest } from './site-requester';
import { ScriptedConnector, type ScriptedReply } from './test-support';

const answer = (name: string): SiteAnswer => ({ listings: [{ name }] });
const LIMITS: SiteLimits = { concurrency: 4, requests: 20, perMs: 1000 };

/** A requester whose model has learned "100 ms" and whose budget holds a hedge. */
function harness(script: readonly ScriptedReply[], options: { limits?: SiteLimits; lend?: boolean; hedge?: boolean; learned?: readonly number[] } = {}) {
  const connector = new ScriptedConnector('slow.test', script, { limits: options.limits ?? LIMITS, timeoutMs: 4_000 });
  if (options.hedge === false) Object.assign(connector.definition, { hedge: false });
  const slots = { lent: 0, released: 0 };
  const spareSlot = (): SpareSlot | undefined => {
    if (options.lend === false) return undefined;
    slots.lent++;
    return { release: () => slots.released++ };
  };
  const feedback: SiteRateFeedback = { pushBack: vi.fn(), windowExhausted: vi.fn(), succeeded: vi.fn(), pausedUntil: 0 };
  const requester = new SiteRequester({ connector, cache: new AnswerCache(), feedback, spareSlot });
  for (const ms of options.learned ?? Array<number>(50).fill(100)) requester.latency.observe(ms);
  for (let i = 0; i < 20; i++) requester.hedging.requestSent();
  const hedgedAfter: number[] = [];
  let n = 0;
  const request = (overrides: Partial<SiteRequest> = {}): SiteRequest => ({
    query: { name: `Query ${++n}` },
    answerKey: `key-${n}`,
    signal: new AbortController().signal,
    timeoutMs: 4_000,
    startedAt: Date.now(),
    deadlineAt: Date.now() + 5_000,
    onHedged: (delayMs) => hedgedAfter.push(delayMs),
    ...overrides,
  });
  return { connector, requester, slots, feedback, hedgedAfter, request };
}

/** Settles a promise on the fake clock and returns what it settled with. */
async function settle<T>(promise: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown }> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.advanceTimersByTimeAsync(ms);
  return outcome;
}

describe('SiteRequester hedging (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends one hedge after the delay through a lent slot, keeps the first answer and aborts the other', async () => {
    const h = harness([
      { afterMs: 60_000, answer: answer('first') },
      { afterMs: 100, answer: answer('hedge') },
    ]);
    // Model: every answer 100 ms → hedge delay max(p95, 2 × p50) ≈ 200 ms.
    const delay = h.requester.hedging.hedgeDelayMs()!;
    const outcome = await settle(h.requester.request(h.request()), delay + 150);

    expect(outcome.value?.answer).toEqual(answer('hedge'));
    expect(h.connector.requests).toHaveLength(2);
    expect(h.connector.requests[1]!.at - h.connector.requests[0]!.at).toBe(delay);
    expect(h.connector.requests[0]!.signal.aborted).toBe(true);
    expect(h.connector.requests[0]!.signal.reason).toBeInstanceOf(RequestSupersededError);
    expect(h.hedgedAfter).toEqual([delay]);
    expect(h.slots).toEqual({ lent: 1, released: 1 });
    expect({ hedges: h.requester.hedging.hedges, wins: h.requester.hedging.wins }).toEqual({ hedges: 1, wins: 1 });
    // The aborted loser is not a fault of the site.
    expect(h.requester.circuit.state).toBe('closed');
  });

  it('holds the lent slot until the aborted request has had ABORT_MARGIN_MS to reach the site', async () => {
    const h = harness([
      { afterMs: 60_000, answer: answer('first') },
      { afterMs: 100, answer: answer('hedge') },
    ]);
    const delay = h.requester.hedging.hedgeDelayMs()!;
    const outcome = await settle(h.requester.request(h.request()), delay + 100 + 1);
    // The answer is out at once; the slot is not back yet: the site may still count the loser.
    expect(outcome.value?.answer).toEqual(answer('hedge'));
    expect(h.slots).toEqual({ lent: 1, released: 0 });
    await vi.advanceTimersByTimeAsync(ABORT_MARGIN_MS);
    expect(h.slots).toEqual({ lent: 1, released: 1 });
  });

  it("lets a loser younger than the site's p99 finish, holding its slot until it answers", async () => {
    // Learned 10, 20 … 1,000 ms: hedge delay max(p90 ≈ 900, 2 × p50 ≈ 1,000) ≈ 1 s, p99 ≈ 990 ms.
    const learned = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
    const h = harness(
      [
        { afterMs: 1_300, answer: answer('first') },
        { afterMs: 400, answer: answer('hedge') },
      ],
      { learned },
    );
    const delay = h.requester.hedging.hedgeDelayMs()!;
    const outcome = await settle(h.requester.request(h.request()), 1_310);
    expect(outcome.value?.answer).toEqual(answer('first'));
    expect(h.connector.requests).toHaveLength(2);
    // The hedge has run 1,300 − delay ≈ 300 ms, far short of the p99: the site may still be
    // working on it, so it runs on in its lent slot.
    expect(h.connector.requests[1]!.signal.aborted).toBe(false);
    expect(h.slots).toEqual({ lent: 1, released: 0 });
    await vi.advanceTimersByTimeAsync(delay + 400 - 1_310 + 1);
    expect(h.connector.requests[1]!.signal.aborted).toBe(false);
    expect(h.slots).toEqual({ lent: 1, released: 1 });
  });

  it("aborts a loser that reaches the site's p99 from its send, then gives its slot back", async () => {
    const learned = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
    const h = harness(
      [
        { afterMs: 1_300, answer: answer('first') },
        { afterMs: 60_000, answer: answer('hedge') },
      ],
      { learned },
    );
    const delay = h.requester.hedging.hedgeDelayMs()!;
    const p99 = h.requester.latency.quantile(0.99)!;
    await settle(h.requester.request(h.request()), 1_310);
    await vi.advanceTimersByTimeAsync(delay + p99 - 1_310 - 10);
    expect(h.connector.requests[1]!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    expect(h.connector.requests[1]!.signal.reason).toBeInstanceOf(RequestSupersededError);
    expect(h.slots).toEqual({ lent: 1, released: 0 });
    await vi.advanceTimersByTimeAsync(ABORT_MARGIN_MS);
    expect(h.slots).toEqual({ lent: 1, released: 1 });
  });

  it('keeps the first request when it answers before its hedge, and aborts the hedge', async () => {
    const h = harness([
      { afterMs: 300, answer: answer('first') },
      { afterMs: 60_000, answer: answer('hedge') },
    ]);
    const outcome = await settle(h.requester.request(h.request()), 400);

    expect(outcome.value?.answer).toEqual(answer('first'));
    expect(h.connector.requests).toHaveLength(2);
    expect(h.connector.requests[1]!.signal.aborted).toBe(true);
    expect(h.slots).toEqual({ lent: 1, released: 1 });
    expect({ hedges: h.requester.hedging.hedges, wins: h.requester.hedging.wins }).toEqual({ hedges: 1, wins: 0 });
  });

  it('sends no hedge for an answer that comes before the delay, and takes no slot', async () => {
    const h = harness([{ afterMs: 120, answer: answer('first') }]);
    const outcome = await settle(h.requester.request(h.request()), 1_000);
    expect(outcome.value?.answer).toEqual(answer('first'));
    expect(h.connector.requests).toHaveLength(1);
    expect(h.slots.lent).toBe(0);
  });

  it('sends no hedge when the scheduler has no slot to lend', async () => {
    const h = harness([{ afterMs: 1_000, answer: answer('first') }], { lend: false });
    const outcome = await settle(h.requester.request(h.request()), 1_100);
    expect(outcome.value?.answer).toEqual(answer('first'));
    expect(h.connector.requests).toHaveLength(1);
    expect(h.hedgedAfter).toEqual([]);
    expect(h.requester.hedging.declined).toEqual({ 'no free slot': 1 });
  });

  it("sends no hedge when the send window has no room now: the site's rate holds", async () => {
    const h = harness([{ afterMs: 1_000, answer: answer('first') }], { limits: { concurrency: 4, requests: 1, perMs: 1000 } });
    const outcome = await settle(h.requester.request(h.request()), 1_100);
    expect(outcome.value?.answer).toEqual(answer('first'));
    expect(h.connector.requests).toHaveLength(1);
    expect(h.slots.lent).toBe(0);
    expect(h.requester.hedging.declined).toEqual({ 'no room in the send window': 1 });
  });

  it('never hedges a site whose definition says hedge: false', async () => {
    const h = harness([{ afterMs: 1_000, answer: answer('first') }], { hedge: false });
    const outcome = await settle(h.requester.request(h.request()), 1_100);
    expect(outcome.value?.answer).toEqual(answer('first'));
    expect(h.connector.requests).toHaveLength(1);
    expect(h.requester.hedging.hedgeDelayMs()).toBeUndefined();
  });

  it('waits for the hedge when the first request fails, and reports the first error when both fail', async () => {
    const h = harness([
      { afterMs: 250, error: new TransientSiteError('slow.test', 'answered 502') },
      { afterMs: 100, error: new TransientSiteError('slow.test', 'answered 503') },
    ]);
    const outcome = await settle(h.requester.request(h.request()), 1_000);
    expect(outcome.error).toBeInstanceOf(TransientSiteError);
    expect((outcome.error as Error).message).toMatch(/502/);
    expect(h.slots).toEqual({ lent: 1, released: 1 });
  });

  it("lets the hedge outlive the first request's timeout: it is the attempt's second chance", async () => {
    const h = harness([
      { afterMs: 60_000, answer: answer('first') },
      { afterMs: 1_000, answer: answer('hedge') },
    ]);
    const delay = h.requester.hedging.hedgeDelayMs()!;
    // The first request times out at 1 s; the hedge, sent at `delay`, answers 1 s after that.
    const outcome = await settle(h.requester.request(h.request({ timeoutMs: 1_000 })), delay + 1_000);
    expect(outcome.value?.answer).toEqual(answer('hedge'));
    expect(h.connector.requests[1]!.timeoutMs).toBe(1_000);
    await vi.advanceTimersByTimeAsync(ABORT_MARGIN_MS);
    expect(h.slots).toEqual({ lent: 1, released: 1 });
  });

  it('never hedges an answer another job is already waiting for (coalesced)', async () => {
    const h = harness([{ afterMs: 1_000, answer: answer('first') }]);
    const shared = h.request();
    const first = h.requester.request(shared);
    const rider = h.requester.request({ ...shared, onHedged: () => h.hedgedAfter.push(-1) });
    const [a, b] = await Promise.all([settle(first, 1_100), settle(rider, 0)]);
    expect(a.value?.coalesced).toBe(false);
    expect(b.value?.coalesced).toBe(true);
    // One hedge at most, for the job that made the request.
    expect(h.hedgedAfter.filter((ms) => ms === -1)).toEqual([]);
    expect(h.connector.requests.length).toBeLessThanOrEqual(2);
  });
});
