import { describe, expect, it } from 'vitest';
import {
  HEDGE_BUDGET,
  HedgePolicy,
  PUSH_BACK_QUIET_MS,
  RETRY_RESERVE_MS,
  TIMEOUT_FLOOR_MS,
  type HedgePolicyOptions,
} from './hedge-policy';
import { LatencyModel } from './latency-model';

/** A model that has seen `count` answers spread evenly over 1..maxMs. */
function modelOf(maxMs: number, count = 200): LatencyModel {
  const model = new LatencyModel();
  for (let i = 1; i <= count; i++) model.observe((i / count) * maxMs);
  return model;
}

function policy(overrides: Partial<HedgePolicyOptions> & { clock?: { now: number } } = {}) {
  const clock = overrides.clock ?? { now: 0 };
  const hedging = new HedgePolicy({
    model: modelOf(2_000),
    allowed: true,
    timeoutMs: 4_000,
    limits: { concurrency: 4, requests: 20, perMs: 1000 },
    now: () => clock.now,
    ...overrides,
  });
  return { hedging, clock };
}

/** Sends `n` requests, each earning its share of the budget. */
function send(hedging: HedgePolicy, n: number): void {
  for (let i = 0; i < n; i++) hedging.requestSent();
}

describe('HedgePolicy: when to hedge', () => {
  it('hedges after the p90, never sooner than twice the median', () => {
    // Answers of 1², 2² … 100² ms, a long right tail: p50 ≈ 2,500, p90 ≈ 8,100, p95 ≈ 9,025 →
    // the p90 decides (the sketch is within 2%).
    const tail = new LatencyModel();
    for (let i = 1; i <= 100; i++) tail.observe(i * i);
    const delay = policy({ model: tail }).hedging.hedgeDelayMs()!;
    expect(delay).toBeGreaterThan(8_100 * 0.97);
    expect(delay).toBeLessThan(8_100 * 1.03);
    // Even over 0–2,000 ms: p90 ≈ 1,800 < 2 × p50 ≈ 2,000 → the floor decides.
    expect(policy().hedging.hedgeDelayMs()! / 2_000).toBeCloseTo(1, 1);
    // All answers 100 ms: p90 = 100 → 2 × p50 = 200 decides.
    const model = new LatencyModel();
    for (let i = 0; i < 100; i++) model.observe(100);
    expect(policy({ model }).hedging.hedgeDelayMs()! / 200).toBeCloseTo(1, 1);
  });

  it('never hedges before the model is ready, nor a site that may not be hedged', () => {
    expect(policy({ model: new LatencyModel() }).hedging.hedgeDelayMs()).toBeUndefined();
    const closed = policy({ allowed: false }).hedging;
    send(closed, 100);
    expect(closed.hedgeDelayMs()).toBeUndefined();
    expect(closed.decide(5_000)).toEqual({ hedge: false, reason: 'not hedged' });
  });

  it('spends a budget earned by requests: at most 15% extra, plus a bank', () => {
    const { hedging } = policy();
    // 20 requests/s: 15% of the 200 allowed in 10 s.
    expect(hedging.bank).toBe(30);
    expect(hedging.decide(5_000)).toEqual({ hedge: false, reason: 'budget spent' });
    // 6 requests earn 0.9 of a hedge, the 7th makes it whole.
    send(hedging, 6);
    expect(hedging.decide(5_000)).toEqual({ hedge: false, reason: 'budget spent' });
    send(hedging, 1);
    expect(hedging.decide(5_000)).toEqual({ hedge: true });
    hedging.hedged();
    expect(hedging.decide(5_000)).toEqual({ hedge: false, reason: 'budget spent' });
    // Earned hedges stay in hand, up to the bank.
    send(hedging, 1_000);
    for (let i = 0; i < 30; i++) {
      expect(hedging.decide(5_000).hedge).toBe(true);
      hedging.hedged();
    }
    expect(hedging.decide(5_000)).toEqual({ hedge: false, reason: 'budget spent' });

    expect(hedging.declined).toEqual({ 'budget spent': 4 });
    // However many hedges are asked for, 1,000 requests buy at most 150 + the bank.
    let sent = 0;
    for (let i = 0; i < 1_000; i++) {
      hedging.requestSent();
      if (hedging.decide(5_000).hedge) {
        hedging.hedged();
        sent++;
      }
    }
    expect(sent).toBeLessThanOrEqual(1_000 * HEDGE_BUDGET + hedging.bank);
    expect(sent).toBeGreaterThanOrEqual(1_000 * HEDGE_BUDGET - 1);
    expect(hedging.hedgeShare).toBeCloseTo(hedging.hedges / (hedging.requests + hedging.hedges), 6);
  });

  it('keeps at least two hedges in hand for a site with a small quota', () => {
    const { hedging } = policy({ limits: { concurrency: 2, requests: 5, perMs: 60_000 } });
    expect(hedging.bank).toBe(2);
    send(hedging, 100);
    hedging.hedged();
    hedging.hedged();
    expect(hedging.decide(5_000)).toEqual({ hedge: false, reason: 'budget spent' });
  });

  it('sends no hedge for PUSH_BACK_QUIET_MS after the site pushed back', () => {
    const { hedging, clock } = policy();
    send(hedging, 20);
    clock.now = 10_000;
    hedging.pushedBack();
    clock.now += PUSH_BACK_QUIET_MS - 1;
    expect(hedging.decide(5_000)).toEqual({ hedge: false, reason: 'pushed back recently' });
    clock.now += 1;
    expect(hedging.decide(5_000)).toEqual({ hedge: true });
  });

  it('sends no hedge with less than the median left before the deadline', () => {
    const { hedging } = policy();
    send(hedging, 20);
    expect(hedging.decide(900)).toEqual({ hedge: false, reason: 'too little time left' });
    expect(hedging.decide(1_100)).toEqual({ hedge: true });
  });

  it('counts hedges and the ones that answered first', () => {
    const { hedging } = policy();
    send(hedging, 30);
    hedging.hedged();
    hedging.hedgeWon();
    hedging.hedged();
    expect({ requests: hedging.requests, hedges: hedging.hedges, wins: hedging.wins }).toEqual({ requests: 30, hedges: 2, wins: 1 });
    expect(hedging.hedgeShare).toBeCloseTo(2 / 32, 6);
  });
});

describe('HedgePolicy: attempt timeouts', () => {
  it("uses the definition's timeoutMs until the model is ready", () => {
    const { hedging } = policy({ model: new LatencyModel() });
    expect(hedging.attemptTimeout(10_000)).toEqual({ timeoutMs: 4_000, cutByDeadline: false });
  });

  it('gives twice the p99, at least the floor, never more than timeoutMs', () => {
    // p99 ≈ 990 ms → 1,980 ms.
    const modelled = policy({ model: modelOf(1_000) }).hedging.attemptTimeout(10_000);
    expect(modelled.cutByDeadline).toBe(false);
    expect(modelled.timeoutMs / 1_980).toBeCloseTo(1, 1);
    expect(policy({ model: modelOf(100) }).hedging.attemptTimeout(10_000).timeoutMs).toBe(TIMEOUT_FLOOR_MS);
    expect(policy({ model: modelOf(3_000) }).hedging.attemptTimeout(10_000).timeoutMs).toBe(4_000);
  });

  it('leaves a retry the p95 plus its backoff before the deadline, never cutting below the p95', () => {
    // Even over 0–2,000 ms: p95 ≈ 1,900, p99 ≈ 1,980 → modelled 3,960 ms.
    const model = modelOf(2_000);
    const { hedging } = policy({ model });
    const p95 = model.quantile(0.95)!;
    expect(hedging.attemptTimeout(5_000, false).timeoutMs / 3_960).toBeCloseTo(1, 1);
    expect(hedging.attemptTimeout(5_000, true)).toEqual({ timeoutMs: 5_000 - p95 - RETRY_RESERVE_MS, cutByDeadline: false });
    // With 2.5 s left there is no room for both: the attempt keeps its p95.
    expect(hedging.attemptTimeout(2_500, true)).toEqual({ timeoutMs: p95, cutByDeadline: false });
    expect(hedging.attemptTimeout(60_000, true).timeoutMs / 3_960).toBeCloseTo(1, 1);
  });

  it('cuts the timeout to the time left, and says the deadline did', () => {
    const { hedging } = policy({ model: modelOf(1_000) });
    expect(hedging.attemptTimeout(700)).toEqual({ timeoutMs: 700, cutByDeadline: true });
    expect(hedging.attemptTimeout(0)).toEqual({ timeoutMs: 1, cutByDeadline: true });
  });
});
