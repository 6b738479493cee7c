/**
 * One site's request path: everything between "this job may start now" and the site's answer.
 *
 *   job ─▶ cache? ─▶ identical request in flight? ─▶ send gate ─▶ circuit ─▶ connector ─▶ site
 *            │ hit          │ ride on its answer      (spaces sends)  (open: no request)
 *            ▼              ▼                              │
 *          answer         answer                          └─ slower than the hedge delay? one more
 *                                                            copy, through a lent slot and the same
 *                                                            gate; the first answer wins
 *
 * Example: three searches for "Blue Door Bakery" reach yelp within 50 ms. The first makes the
 * request: it waits for its place in the send window, goes through the circuit and the
 * connector, and its answer is cached for the site's `cacheTtlMs`. The other two ride on that
 * request (`coalesced`) and count nothing; a fourth search a minute later is answered from the
 * cache. Had yelp answered 429, only the first would have told the limiter to back off.
 *
 * Example (hedge): a directory's model says p50 480 ms, p90 1.4 s, p99 3.2 s. A request is still
 * out after 1.4 s; the hedge policy allows a copy (budget, no recent push-back, time left), the
 * scheduler lends a free slot and the send window has room now, so the copy goes out and the job
 * records `site:hedged`. The copy answers 450 ms later: its answer is kept, and the first request
 * runs on in the lent slot until it answers or reaches 3.2 s, when it is aborted
 * (`RequestSupersededError`, not a fault of the site). Without a free slot or room, no copy is
 * sent and the first request runs on: a hedge never waits and never delays a job.
 *
 * Invariants:
 * - Only the job that makes a request speaks for the site: a job riding on an identical request
 *   MUST NOT count its attempt, its latency or its 429 a second time. Coalesced and cached
 *   answers are never hedged.
 * - A request leaves only through the send gate, which counts sends (what the site counts), not
 *   starts; every place taken is settled when the attempt ends. A hedge too, and only when the
 *   gate has room at once and the scheduler lends a slot, so the site's limits hold with hedges.
 * - At most one hedge per attempt; it may outlive the first request's timeout. The loser of a pair
 *   runs on until it answers or reaches the site's p99, and only then is aborted (`letFinish`):
 *   a server may keep counting a request whose client left until it would have answered.
 * - A request we abort (loser, timeout, cancel, deadline) still counts at the site until our
 *   close reaches it: measured on loopback, a request sent right after an abort found the site
 *   still counting the aborted one in 16 of 30 tries. So an aborted request settles only
 *   ABORT_MARGIN_MS after the abort, and a pair gives back its lent slot only when both of its
 *   requests have settled: the slots held never undercount what the site counts.
 * - Each request of a pair speaks for itself: a 429 on either pushes back; the latency model
 *   learns from answers only, a loser's too when it answers. An aborted request is not a sample:
 *   "at least this long" from a hung request would raise the p90 to the hedge delay plus a copy's
 *   latency, and the next delay from there, until hedges stop. Without them the model sees less
 *   of the slow tail, so hedges come a little early; the budget and the 2 × p50 floor bound that.
 * - A site error leaves as the connector threw it (named, see `server/errors.ts`); an open
 *   circuit as `CircuitOpenError`. Decisions about retries are the caller's (`attempt.ts`).
 */
import type { BusinessQuery, CircuitState } from '../../lib/types';
import { CircuitOpenError, QueryNotSupportedError, RequestSupersededError, SiteRateLimitedError, SiteTimeoutError } from '../errors';
import type { SiteAnswer, SiteConnector } from '../sites/connector';
import type { AnswerCache } from './answer-cache';
import { describeFailure } from './attempt';
import { HedgePolicy } from './hedge-policy';
import { LatencyModel } from './latency-model';
import type { SiteRateFeedback, SpareSlot } from './scheduler';
import { SEND_MARGIN_MS, SendWindow, type SendGate } from './send-window';
import { SiteCircuit, type SiteCircuitOptions } from './site-circuit';
import { SiteStats } from './site-stats';

/** Options of a site requester. */
export interface SiteRequesterOptions {
  readonly connector: SiteConnector;
  /** Answers of every site, by `answerKey`; shared so one cap bounds them all. */
  readonly cache: AnswerCache;
  /** Where the site's answers say how hard to push (the scheduler's limiter of this site). */
  readonly feedback: SiteRateFeedback;
  /** Admits sends. Default: a send window of the site's own limits, private to this requester. */
  readonly sendGate?: SendGate;
  readonly circuit?: SiteCircuitOptions;
  /**
   * The circuit as every node of a cluster sees it: this requester opens it there when its own
   * breaker opens, and treats the site as open while it is. Default: this process alone.
   */
  readonly sharedCircuit?: SharedCircuit;
  /**
   * Lends a free concurrency slot of the site for a hedge (the scheduler's `spareSlot`). Absent:
   * no hedges (the slot is what keeps a hedge within the site's concurrency).
   */
  readonly spareSlot?: () => SpareSlot | undefined;
  /** Hedging on (for a site whose definition allows it). Default true. */
  readonly hedging?: boolean;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** A site's circuit state shared by the nodes of a cluster. */
export interface SharedCircuit {
  /** Until when (ms since epoch) some node holds the circuit open; in the past when none does. */
  readonly circuitOpenUntil: number;
  openCircuit(untilMs: number): void;
  closeCircuit(): void;
}

/** One request for a job. */
export interface SiteRequest {
  readonly query: BusinessQuery;
  /** The job's `answerKey`. */
  readonly answerKey: string;
  /** Aborts the request: cancel, deadline, shutdown. */
  readonly signal: AbortSignal;
  /** Time allowed, already cut to what is left before the deadline. */
  readonly timeoutMs: number;
  /** When the attempt started (ms since epoch), for its latency. */
  readonly startedAt: number;
  /** The job's deadline (ms since epoch): a hedge needs time left before it. */
  readonly deadlineAt: number;
  /** Told when a hedge of this request is sent, with how long the request had been out. */
  readonly onHedged?: (delayMs: number) => void;
}

/**
 * How long an aborted request is still counted as ours after the abort: the time our close takes
 * to reach the site, bounded like a send's arrival jitter (`send-window.ts`).
 */
export const ABORT_MARGIN_MS = SEND_MARGIN_MS;

/** One request on the wire (a first request or its hedge). */
interface Flight {
  readonly answer: Promise<SiteAnswer>;
  /** When it passed the send gate (ms since epoch); undefined when it ended before. */
  readonly sent: Promise<number | undefined>;
  /** The same, once known. */
  readonly sentAt: () => number | undefined;
  abort(reason: unknown): void;
}

/** A site's answer, and whether it came from another job's request. */
export interface SiteReply {
  readonly answer: SiteAnswer;
  readonly coalesced: boolean;
}

/** Cache, coalescing, send gate, circuit, stats and rate feedback of one site. */
export class SiteRequester {
  readonly connector: SiteConnector;
  /** Rolling figures of the requests made, for the operations view. */
  readonly stats = new SiteStats();
  /** How long the site's answers take, learned from them. */
  readonly latency = new LatencyModel();
  /** Attempt timeouts and hedges of this site, from `latency`. */
  readonly hedging: HedgePolicy;
  readonly circuit: SiteCircuit;
  private readonly cache: AnswerCache;
  private readonly feedback: SiteRateFeedback;
  private readonly sendGate: SendGate;
  private readonly sharedCircuit?: SharedCircuit;
  private readonly spareSlot?: () => SpareSlot | undefined;
  private readonly now: () => number;

  constructor(options: SiteRequesterOptions) {
    this.connector = options.connector;
    this.cache = options.cache;
    this.feedback = options.feedback;
    this.now = options.now ?? Date.now;
    this.sendGate = options.sendGate ?? new SendWindow(options.connector.definition.limits, this.now);
    this.circuit = new SiteCircuit(options.circuit);
    this.spareSlot = options.spareSlot;
    const { definition } = options.connector;
    this.hedging = new HedgePolicy({
      model: this.latency,
      allowed: (options.hedging ?? true) && definition.hedge && options.spareSlot !== undefined && this.sendGate.hasRoomNow !== undefined,
      timeoutMs: definition.timeoutMs,
      limits: definition.limits,
      now: this.now,
    });
    const shared = options.sharedCircuit;
    this.sharedCircuit = shared;
    if (shared) {
      this.circuit.onChange((state, openForMs) => {
        if (state === 'open') shared.openCircuit(this.now() + openForMs);
        else shared.closeCircuit();
      });
    }
  }

  /** Whether the site's circuit is open here or on another node: its jobs are skipped without a request. */
  circuitOpen(): boolean {
    return this.circuitState() === 'open';
  }

  /** The circuit's state as this node should act on it: open when any node holds it open. */
  circuitState(): CircuitState {
    if (this.sharedCircuit && this.sharedCircuit.circuitOpenUntil > this.now()) return 'open';
    return this.circuit.state;
  }

  /** A fresh cached answer for `answerKey`, or undefined. */
  cached(answerKey: string): SiteAnswer | undefined {
    return this.cache.get(answerKey);
  }

  /** The identical request in flight, if any. */
  inFlight(answerKey: string): Promise<SiteAnswer> | undefined {
    return this.cache.pending(answerKey);
  }

  /** Asks the site, or rides on an identical request in flight. Throws the site's named errors. */
  async request(request: SiteRequest): Promise<SiteReply> {
    let requested = false;
    try {
      const reply = await this.cache.coalesce(request.answerKey, () => {
        requested = true;
        return this.send(request);
      });
      if (requested) this.answered(request, reply.answer);
      return reply;
    } catch (error) {
      if (requested) this.failed(error);
      throw error;
    }
  }

  /** The request, and a hedge of it when it runs past the site's hedge delay and one may go. */
  private async send(request: SiteRequest): Promise<SiteAnswer> {
    this.stats.started(request.startedAt);
    const first = this.fly(request, request.timeoutMs, false);
    const hedgeDelayMs = this.hedging.hedgeDelayMs();
    if (hedgeDelayMs === undefined) return first.answer;
    const sentAt = await first.sent;
    if (sentAt === undefined || !(await stillOutAfter(first.answer, sentAt + hedgeDelayMs - this.now()))) return first.answer;
    return this.hedge(request, first, sentAt);
  }

  /**
   * A request sent at `sentAt` has run past the hedge delay: a hedge beside it, if one may go now.
   * The hedge gets the attempt's allowance again, to the deadline at most, and outlives the first
   * request's timeout: it is that attempt's second chance, already on its way. (Cut at the first
   * one's timeout instead, a hedge sent at 2.3 s of a 2.6 s attempt had 0.3 s to answer, and its
   * job then failed at the deadline in the sandbox.)
   *
   * There is no hedge without a lent slot — not even by aborting the slow request and sending it
   * again in its own slot. A server that does not notice our close counts the aborted request
   * until it would have answered (the real-HTTP test site in `pipeline-hedging.test.ts` does), and
   * such a re-send goes exactly when every slot is busy: tried, it put that site one over its
   * concurrency at once.
   */
  private hedge(request: SiteRequest, first: Flight, sentAt: number): Promise<SiteAnswer> {
    const now = this.now();
    if (!this.hedging.decide(request.deadlineAt - now).hedge) return first.answer;
    if (this.circuitState() !== 'closed') return this.declined('circuit not closed', first);
    if (!this.sendGate.hasRoomNow?.()) return this.declined('no room in the send window', first);
    const slot = this.spareSlot?.();
    if (!slot) return this.declined('no free slot', first);
    this.hedging.hedged();
    request.onHedged?.(now - sentAt);
    const flight = this.fly(request, Math.max(1, Math.min(request.timeoutMs, request.deadlineAt - now)), true);
    // Given back when both requests are gone from the site, whichever holds which slot.
    void Promise.allSettled([first.answer, flight.answer]).then(() => slot.release());
    return this.firstAnswer(first, flight);
  }

  private declined(reason: string, first: Flight): Promise<SiteAnswer> {
    this.hedging.decline(reason);
    return first.answer;
  }

  /** The first answer of a pair; the other request is let finish (`letFinish`). Both failed: the first request's error. */
  private firstAnswer(first: Flight, hedge: Flight): Promise<SiteAnswer> {
    return new Promise((resolve, reject) => {
      let settled = 0;
      let firstError: unknown;
      const win = (answer: SiteAnswer, loser: Flight, hedgeWon: boolean) => {
        if (settled === -1) return;
        settled = -1;
        this.letFinish(loser);
        if (hedgeWon) this.hedging.hedgeWon();
        resolve(answer);
      };
      const lose = (error: unknown, isFirst: boolean) => {
        if (settled === -1) return;
        if (isFirst) firstError = error;
        else firstError ??= error;
        if (++settled === 2) reject(firstError);
      };
      first.answer.then(
        (answer) => win(answer, hedge, false),
        (error: unknown) => lose(error, true),
      );
      hedge.answer.then(
        (answer) => win(answer, first, true),
        (error: unknown) => lose(error, false),
      );
    });
  }

  /**
   * The loser of a pair runs on until it answers or reaches the site's p99 from its send, and is
   * aborted only then (its answer, if any, is a sample of the model and is otherwise dropped). A
   * server that does not notice our close keeps counting the request until it would have answered
   * — the real-HTTP test site in `pipeline-hedging.test.ts` does — so aborting the loser at once
   * freed its slot while the site still counted it: with hedges at the p90 that put the site one
   * over its concurrency in two runs of three. Past its p99 a request is most likely one the
   * server dropped (a hang), and holding a slot for it only costs other jobs.
   */
  private letFinish(loser: Flight): void {
    const sentAt = loser.sentAt();
    const p99 = this.latency.quantile(0.99);
    const waitMs = sentAt === undefined || p99 === undefined ? 0 : sentAt + p99 - this.now();
    if (waitMs <= 0) {
      loser.abort(new RequestSupersededError());
      return;
    }
    const timer = setTimeout(() => loser.abort(new RequestSupersededError()), waitMs);
    const done = () => clearTimeout(timer);
    loser.answer.then(done, done);
  }

  /** One request: through the send gate and the circuit to the connector, with its own abort. */
  private fly(request: SiteRequest, timeoutMs: number, isHedge: boolean): Flight {
    const controller = new AbortController();
    const forward = () => controller.abort(request.signal.reason);
    if (request.signal.aborted) forward();
    else request.signal.addEventListener('abort', forward, { once: true });
    let passedGate!: (at: number | undefined) => void;
    const sent = new Promise<number | undefined>((resolve) => (passedGate = resolve));
    let sentAt: number | undefined;
    const answer = (async () => {
      try {
        const permit = await this.sendGate.acquire(controller.signal);
        sentAt = this.now();
        passedGate(sentAt);
        if (!isHedge) this.hedging.requestSent();
        const onSent = () => permit.markSent(this.now());
        try {
          const found = await this.circuit.run(() =>
            this.connector.search(request.query, { signal: controller.signal, timeoutMs, onSent }),
          );
          this.latency.observe(this.now() - sentAt);
          return found;
        } finally {
          permit.settle();
        }
      } catch (error) {
        if (error instanceof SiteRateLimitedError) {
          this.feedback.pushBack(error.retryAfterMs);
          this.hedging.pushedBack();
        }
        if (sentAt !== undefined && (controller.signal.aborted || error instanceof SiteTimeoutError)) {
          // Cut by us: the site counts it until our close arrives.
          await new Promise((resolve) => setTimeout(resolve, ABORT_MARGIN_MS));
        }
        throw error;
      } finally {
        passedGate(undefined);
        request.signal.removeEventListener('abort', forward);
      }
    })();
    return { answer, sent, sentAt: () => sentAt, abort: (reason) => controller.abort(reason) };
  }

  private answered(request: SiteRequest, answer: SiteAnswer): void {
    const { limits, cacheTtlMs } = this.connector.definition;
    this.stats.finished(this.now());
    this.feedback.succeeded();
    // A reset within the site's own window is what the send window keeps anyway (and the
    // header's whole seconds would over-wait it); a longer one is a quota nobody configured,
    // such as Yelp's daily cap: leave the site alone until then rather than earn a 429.
    const window = answer.window;
    if (window?.remaining === 0 && window.resetMs !== undefined && window.resetMs > limits.perMs) {
      this.feedback.windowExhausted(window.resetMs);
    }
    this.cache.set(request.answerKey, answer, cacheTtlMs);
  }

  private failed(error: unknown): void {
    // Neither is an answer of the site: no request left, or the query was not one it takes.
    if (error instanceof CircuitOpenError || error instanceof QueryNotSupportedError) return;
    // Push-back was told by the request that met it (see `fly`).
    this.stats.finished(this.now(), describeFailure(error));
  }

  /** Stops the circuit's timers. */
  close(): void {
    this.circuit.close();
  }
}

/** True when `promise` is still pending after `ms`; false when it settled first. One timer. */
function stillOutAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    const settled = () => {
      clearTimeout(timer);
      resolve(false);
    };
    promise.then(settled, settled);
  });
}
