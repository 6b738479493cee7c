/**
 * One site's request path: everything between "this job may start now" and the site's answer.
 *
 *   job ─▶ cache? ─▶ identical request in flight? ─▶ send gate ─▶ circuit ─▶ connector ─▶ site
 *            │ hit          │ ride on its answer      (spaces sends)  (open: no request)
 *            ▼              ▼
 *          answer         answer           every request made: stats, rate feedback, cache
 *
 * Example: three searches for "Blue Door Bakery" reach yelp within 50 ms. The first makes the
 * request: it waits for its place in the send window, goes through the circuit and the
 * connector, and its answer is cached for the site's `cacheTtlMs`. The other two ride on that
 * request (`coalesced`) and count nothing; a fourth search a minute later is answered from the
 * cache. Had yelp answered 429, only the first would have told the limiter to back off.
 *
 * Invariants:
 * - Only the job that makes a request speaks for the site: a job riding on an identical request
 *   MUST NOT count its attempt, its latency or its 429 a second time.
 * - A request leaves only through the send gate, which counts sends (what the site counts), not
 *   starts; every place taken is settled when the attempt ends.
 * - A site error leaves as the connector threw it (named, see `server/errors.ts`); an open
 *   circuit as `CircuitOpenError`. Decisions about retries are the caller's (`attempt.ts`).
 */
import type { BusinessQuery, CircuitState } from '../../lib/types';
import { CircuitOpenError, QueryNotSupportedError, SiteRateLimitedError } from '../errors';
import type { SiteAnswer, SiteConnector } from '../sites/connector';
import type { AnswerCache } from './answer-cache';
import { describeFailure } from './attempt';
import type { SiteRateFeedback } from './scheduler';
import { SendWindow, type SendGate } from './send-window';
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
  readonly circuit: SiteCircuit;
  private readonly cache: AnswerCache;
  private readonly feedback: SiteRateFeedback;
  private readonly sendGate: SendGate;
  private readonly sharedCircuit?: SharedCircuit;
  private readonly now: () => number;

  constructor(options: SiteRequesterOptions) {
    this.connector = options.connector;
    this.cache = options.cache;
    this.feedback = options.feedback;
    this.now = options.now ?? Date.now;
    this.sendGate = options.sendGate ?? new SendWindow(options.connector.definition.limits, this.now);
    this.circuit = new SiteCircuit(options.circuit);
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
      if (requested) this.failed(request, error);
      throw error;
    }
  }

  private async send(request: SiteRequest): Promise<SiteAnswer> {
    this.stats.started(request.startedAt);
    const permit = await this.sendGate.acquire(request.signal);
    const onSent = () => permit.markSent(this.now());
    try {
      return await this.circuit.run(() =>
        this.connector.search(request.query, { signal: request.signal, timeoutMs: request.timeoutMs, onSent }),
      );
    } finally {
      permit.settle();
    }
  }

  private answered(request: SiteRequest, answer: SiteAnswer): void {
    const { limits, cacheTtlMs } = this.connector.definition;
    this.stats.finished(this.now(), this.now() - request.startedAt);
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

  private failed(request: SiteRequest, error: unknown): void {
    // Neither is an answer of the site: no request left, or the query was not one it takes.
    if (error instanceof CircuitOpenError || error instanceof QueryNotSupportedError) return;
    this.stats.finished(this.now(), this.now() - request.startedAt, describeFailure(error));
    if (error instanceof SiteRateLimitedError) this.feedback.pushBack(error.retryAfterMs);
  }

  /** Stops the circuit's timers. */
  close(): void {
    this.circuit.close();
  }
}
