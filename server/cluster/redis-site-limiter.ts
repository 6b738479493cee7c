/**
 * A site's send limit, push-back, adaptive rate and circuit, shared by every node of a cluster
 * and kept on Redis's clock: the send window of `send-window.ts`, made cluster-wide.
 *
 * A site counts requests when they *arrive*, from every node alike, so what is limited is sends
 * in any sliding window of `perMs + SEND_MARGIN_MS`, all nodes together. A request first takes a
 * *reservation* (a place not sent yet); its send turns it into a send recorded at Redis's time;
 * a send leaves the window when it is that old. One Lua script decides each admission, so no two
 * nodes can take the same last place, and the clocks of the nodes never enter the decision.
 *
 *   acquire ──ADMIT (Lua, TIME)──▶ reserved ──markSent──▶ sent ──(perMs + margin later)──▶ gone
 *     ▲   refused: "wait N ms"       │ settle unsent          │
 *     │   or "wait for a signal"     ▼                        ▼
 *     └──── one timer, or a message on the site's channel: sent │ freed │ state
 *
 * Example: yelp.com allows 5 requests per 1000 ms; nodes A and B share it. A takes 3 places and
 * B 2 (5 reservations); a third request on B is refused, "reserved" (only unsent places block),
 * and waits for a signal. A's first send is recorded at Redis time 100.0 s and wakes B, whose
 * script now answers "window: the oldest send leaves at 100.0 + 1.025 s"; the other sends
 * (100.4, 100.9, 101.0 s) change nothing for B, which sleeps on one timer until 101.025 s and is
 * admitted then. Had that first request failed before leaving, its settle would have freed the
 * place and woken B at once.
 * Meanwhile yelp answers A with a 429 and Retry-After 2 s: A's script pauses the site until
 * Redis's now + 2 s and halves the rate; the state message reaches B's mirror, so B's
 * `pausedUntil` says so too, and every admission on either node waits for the pause, then is
 * paced at the halved rate until successes bring it back (+5% of the configured rate each).
 *
 * Invariants:
 * - Sends in any window of `perMs + SEND_MARGIN_MS`, counted on Redis's clock from the time each
 *   send was recorded (never before the real send), MUST NOT exceed `requests` across all
 *   nodes: a request is admitted only if recorded sends plus unsent reservations leave a place.
 * - Every read-modify-write of shared state runs inside one script; the nodes' clocks are used
 *   only to show Redis times in their own terms (`pausedUntil`, `circuitOpenUntil`).
 * - A waiting `acquire` holds one timer or waits for one message on the site's channel, and
 *   retries only then; nothing polls. On one node, one admission is in flight at a time and
 *   waiters are served in order.
 * - An aborted `acquire` rejects with its signal's reason and leaves no place taken; a place
 *   admitted for a waiter that left meanwhile goes to the next waiter or is freed.
 * - A reservation neither sent nor settled for `staleReservationMs` (its node died) is dropped,
 *   so no dead node blocks a site for longer.
 * - `markSent`, `settle` and the feedback calls never throw into the request path; a failure is
 *   logged, and leaves the site's window at least as tight as it was.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SchedulerSiteStats, SiteRateFeedback } from '../pipeline/scheduler';
import { SEND_MARGIN_MS, type SendGate, type SendPermit } from '../pipeline/send-window';
import { RATE_DECREASE, RATE_FLOOR, RATE_INCREASE } from '../pipeline/site-consumer';
import type { SiteLimits } from '../sites/site-definition';
import type { ClusterSignals } from './cluster-signals';
import { RedisSendPermit, type PermitLedger } from './redis-send-permit';
import { SiteLimiterUnavailableError } from './site-limiter-unavailable-error';
import {
  parseLimiterSignal,
  siteLimiterKeys,
  siteLimiterScripts,
  type LimiterSignal,
  type RateRule,
  type RefusalReason,
  type SharedSiteState,
  type SiteLimiterKeys,
  type SiteLimiterScripts,
  type StateChange,
  type WindowUse,
} from './site-limiter-scripts';

/**
 * Default bound after which a reservation never sent nor settled is dropped, ms: above the
 * longest attempt a site may be given (`timeoutMs` ≤ 60 s), after which every live request has
 * settled.
 */
export const STALE_RESERVATION_MS = 90_000;

/** Options of a site's shared limiter on one node. */
export interface RedisSiteLimiterOptions {
  /** The node's command connection; the limiter's scripts are defined on it. */
  readonly redis: Redis;
  /** The node's pub/sub, for the site's channel. */
  readonly signals: ClusterSignals;
  readonly siteId: string;
  /** The site's limits; `concurrency` is kept by the site's queue, not here. */
  readonly limits: SiteLimits;
  /** Prefix of every key and channel. Default `sitescan:`. */
  readonly keyPrefix?: string;
  readonly logger: Logger;
  /**
   * A reservation neither sent nor settled after this long is dropped (its node died), ms.
   * Default `STALE_RESERVATION_MS` (90 s); at least 1. Every node of a site must use the same.
   */
  readonly staleReservationMs?: number;
  /** This node's clock, to show Redis times in its terms. Default `Date.now`. */
  readonly now?: () => number;
}

/** A node's view of a site's shared rate. */
export type RedisSiteLimiterStats = Pick<SchedulerSiteStats, 'adaptiveLimitPerSec' | 'pausedUntil'>;

interface Waiter {
  readonly resolve: (permit: SendPermit) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

interface Nap {
  readonly reason: RefusalReason;
  readonly end: () => void;
}

/** Whether a message of `kind` can end a wait refused for `reason`. */
function wakes(kind: LimiterSignal['kind'], reason: RefusalReason): boolean {
  if (kind === 'state') return true;
  // A send turns a reservation into a send: the count is the same, but its end becomes known.
  if (kind === 'sent') return reason === 'reserved';
  return reason === 'reserved' || reason === 'window';
}

/** One site's limits shared by every node through Redis: the send gate and the rate feedback. */
export class RedisSiteLimiter implements SendGate, SiteRateFeedback {
  readonly siteId: string;
  private readonly signals: ClusterSignals;
  private readonly keys: SiteLimiterKeys;
  private readonly scripts: SiteLimiterScripts;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly requests: number;
  private readonly windowMs: number;
  private readonly staleMs: number;
  private readonly rule: RateRule;
  /** The shared state as last heard, in Redis's clock. */
  private mirror: SharedSiteState;
  /** Redis's clock minus this node's, from the last reply. */
  private clockOffsetMs = 0;
  private readonly waiters: Waiter[] = [];
  private pumping = false;
  private nap?: Nap;
  /** Messages heard, by kind: a refusal compares them with a count taken before its script. */
  private readonly heard: Record<LimiterSignal['kind'], number> = { sent: 0, freed: 0, state: 0 };
  private readiness?: Promise<void>;
  private unsubscribe?: () => void;
  private stopResync?: () => void;
  private readonly changeListeners = new Set<() => void>();
  private closed = false;

  constructor(options: RedisSiteLimiterOptions) {
    const { siteId, limits } = options;
    const staleMs = options.staleReservationMs ?? STALE_RESERVATION_MS;
    if (typeof siteId !== 'string' || siteId.length === 0) {
      throw new TypeError(`Expected \`siteId\` to be a non-empty string, got ${JSON.stringify(siteId)}`);
    }
    if (!Number.isInteger(limits.requests) || limits.requests < 1) {
      throw new TypeError(`Expected \`limits.requests\` to be an integer >= 1, got ${limits.requests}`);
    }
    if (!Number.isFinite(limits.perMs) || limits.perMs <= 0) {
      throw new TypeError(`Expected \`limits.perMs\` to be a finite number > 0, got ${limits.perMs}`);
    }
    if (!Number.isFinite(staleMs) || staleMs < 1) {
      throw new TypeError(`Expected \`staleReservationMs\` to be a finite number >= 1, got ${staleMs}`);
    }
    this.siteId = siteId;
    this.signals = options.signals;
    this.keys = siteLimiterKeys(options.keyPrefix ?? 'sitescan:', siteId);
    this.scripts = siteLimiterScripts(options.redis);
    this.logger = options.logger.child({ module: 'redis-site-limiter', siteId });
    this.now = options.now ?? Date.now;
    this.requests = limits.requests;
    this.windowMs = limits.perMs + SEND_MARGIN_MS;
    this.staleMs = staleMs;
    const configuredPerSec = (limits.requests * 1000) / limits.perMs;
    this.rule = {
      configuredPerSec,
      defaultPauseMs: limits.perMs,
      decrease: RATE_DECREASE,
      increase: RATE_INCREASE,
      floor: RATE_FLOOR,
    };
    this.mirror = { version: 0, pausedUntil: 0, ratePerSec: configuredPerSec, circuitOpenUntil: 0 };
  }

  /** Creates a limiter and waits until its mirror holds the current shared state. */
  static async open(options: RedisSiteLimiterOptions): Promise<RedisSiteLimiter> {
    const limiter = new RedisSiteLimiter(options);
    await limiter.ready();
    return limiter;
  }

  /**
   * Subscribes to the site's channel, then reads the shared state once: from then on the mirror
   * follows every change. `acquire` waits for it; call it before reading `pausedUntil`.
   */
  ready(): Promise<void> {
    this.readiness ??= this.start().catch((error: unknown) => {
      this.readiness = undefined;
      throw error;
    });
    return this.readiness;
  }

  /**
   * Waits for a place in the site's send window, cluster-wide; `signal` ends the wait early
   * (cancel, deadline) with its reason. Rejects with `SiteLimiterUnavailableError` when Redis
   * fails or the limiter closes: no request may leave without its place.
   */
  acquire(signal: AbortSignal): Promise<SendPermit> {
    if (signal.aborted) return Promise.reject(signal.reason as unknown);
    if (this.closed) return Promise.reject(new SiteLimiterUnavailableError(this.siteId, 'closed'));
    return new Promise<SendPermit>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.leave(waiter);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      void this.pump();
    });
  }

  /**
   * The site pushed back (429, 503 + Retry-After): every node pauses it until Redis's now +
   * `retryAfterMs` (one window when unsaid) and halves the rate, down to the floor share.
   */
  pushBack(retryAfterMs: number | undefined): void {
    // This node's callers read `pausedUntil` right after; the script's answer confirms it.
    this.pauseMirror(retryAfterMs ?? this.rule.defaultPauseMs);
    this.change({ op: 'pushBack', pauseMs: retryAfterMs });
  }

  /** The site says its window is spent (`RateLimit-Remaining: 0`): every node pauses for `resetMs`. */
  windowExhausted(resetMs: number): void {
    this.pauseMirror(resetMs);
    this.change({ op: 'windowExhausted', pauseMs: resetMs });
  }

  /**
   * An attempt succeeded: the shared rate grows by 5% of the configured one, up to it. Costs no
   * round-trip while the mirror says the rate is already the configured one.
   */
  succeeded(): void {
    if (this.mirror.ratePerSec >= this.rule.configuredPerSec) return;
    this.change({ op: 'succeeded' });
  }

  /** Until when (this node's ms since epoch) the site asked to be left alone; in the past when it did not. */
  get pausedUntil(): number {
    return this.toLocal(this.mirror.pausedUntil);
  }

  /** Records, for every node, that the site's circuit is open until `untilMs` (this node's clock). */
  openCircuit(untilMs: number): void {
    // Sent as a duration: Redis adds it to its own now, so this node's clock does not travel.
    this.change({ op: 'openCircuit', forMs: untilMs - this.now() });
  }

  /** Records, for every node, that the site's circuit is closed. */
  closeCircuit(): void {
    this.change({ op: 'closeCircuit' });
  }

  /** Until when (this node's ms since epoch) the site's circuit is open, as last heard; 0 when closed. */
  get circuitOpenUntil(): number {
    return this.toLocal(this.mirror.circuitOpenUntil);
  }

  /** The shared rate as last heard, and the pause while it lasts. */
  stats(): RedisSiteLimiterStats {
    const pausedUntil = this.pausedUntil;
    return {
      adaptiveLimitPerSec: this.mirror.ratePerSec,
      ...(pausedUntil > this.now() ? { pausedUntil } : {}),
    };
  }

  /** Sends in the current window and unsent reservations, all nodes together (for the operations view). */
  windowUse(): Promise<WindowUse> {
    return this.scripts.windowUse(this.keys, this.windowMs, this.staleMs);
  }

  /** Calls `listener` when the mirror changes: pause, rate or circuit. Returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Unsubscribes, stops the timer and rejects every waiting `acquire`. Permits out keep working. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.stopResync?.();
    this.endNap();
    this.failWaiters(new SiteLimiterUnavailableError(this.siteId, 'closed'));
    this.changeListeners.clear();
  }

  private async start(): Promise<void> {
    if (this.closed) throw new SiteLimiterUnavailableError(this.siteId, 'closed');
    if (!this.unsubscribe) {
      // Subscribed before the read: a change after the read is heard, one before it is read.
      const unsubscribe = await this.signals.subscribe(this.keys.channel, this.onSignal);
      if (this.closed) {
        unsubscribe();
        throw new SiteLimiterUnavailableError(this.siteId, 'closed');
      }
      this.unsubscribe = unsubscribe;
      this.stopResync = this.signals.onResubscribed(this.resync);
    }
    const reply = await this.timed(() => this.scripts.changeState(this.keys, { op: 'read' }, this.rule));
    this.observe(reply.state);
  }

  /** Serves the waiters in order, one admission in flight at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      await this.ready();
      while (this.waiters.length > 0 && !this.closed) {
        const heard = { ...this.heard };
        const id = randomUUID();
        const verdict = await this.timed(() =>
          this.scripts.admit(this.keys, {
            id,
            requests: this.requests,
            windowMs: this.windowMs,
            staleMs: this.staleMs,
            configuredPerSec: this.rule.configuredPerSec,
          }),
        );
        this.observe(verdict.state);
        if (verdict.admitted) {
          this.handOver(id);
          continue;
        }
        // A message that came while the script ran may be the one this refusal waits for; and
        // whoever waited may have left meanwhile.
        const missed = (Object.keys(heard) as LimiterSignal['kind'][]).some(
          (kind) => this.heard[kind] !== heard[kind] && wakes(kind, verdict.reason),
        );
        if (missed || this.waiters.length === 0) continue;
        await this.sleep(verdict.waitMs, verdict.reason);
      }
    } catch (error) {
      if (!this.closed) {
        this.logger.error({ err: error, waiting: this.waiters.length }, 'admission failed; waiting requests are refused');
      }
      const reason = error instanceof Error ? error.message : String(error);
      this.failWaiters(new SiteLimiterUnavailableError(this.siteId, reason, { cause: error }));
    } finally {
      this.pumping = false;
    }
  }

  private handOver(id: string): void {
    const waiter = this.waiters.shift();
    if (!waiter) {
      // Its waiter left (abort, close) while the script ran: the place goes back.
      this.ledger.release(id);
      return;
    }
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(new RedisSendPermit(id, this.ledger));
  }

  private sleep(waitMs: number, reason: RefusalReason): Promise<void> {
    return new Promise<void>((resolve) => {
      // Timers fire on whole ms; a fraction short would only earn a refusal of a few µs.
      const timer = setTimeout(() => this.endNap(), Math.ceil(waitMs));
      this.nap = {
        reason,
        end: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  private endNap(): void {
    const nap = this.nap;
    this.nap = undefined;
    nap?.end();
  }

  private leave(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
    // Nobody left to serve: the pump ends now rather than keep a timer alive.
    if (this.waiters.length === 0) this.endNap();
  }

  private failWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.reject(error);
    }
  }

  private readonly ledger: PermitLedger = {
    recordSend: (id) => {
      this.scripts.markSent(this.keys, id, this.windowMs).catch((error: unknown) => {
        // The script changed nothing: the place stays reserved until it goes stale (tighter, not looser).
        this.logger.error({ err: error, permitId: id }, 'send not recorded; its place stays reserved until stale');
      });
    },
    release: (id) => {
      this.scripts.release(this.keys, id).catch((error: unknown) => {
        this.logger.warn({ err: error, permitId: id }, 'place not freed; it stays reserved until stale');
      });
    },
  };

  private readonly onSignal = (message: string): void => {
    const signal = parseLimiterSignal(message);
    if (!signal) {
      this.logger.warn({ message }, 'unreadable message on the site channel');
      return;
    }
    if (signal.kind === 'state') this.observe(signal.state);
    this.heard[signal.kind]++;
    if (this.nap && wakes(signal.kind, this.nap.reason)) this.endNap();
  };

  /** The subscriber connection was down: messages may be lost, so read the state and retry. */
  private readonly resync = (): void => {
    this.heard.state++;
    this.endNap();
    this.timed(() => this.scripts.changeState(this.keys, { op: 'read' }, this.rule)).then(
      (reply) => this.observe(reply.state),
      (error: unknown) => this.logger.warn({ err: error }, 'shared site state not read again after a reconnect'),
    );
  };

  private change(change: StateChange): void {
    this.timed(() => this.scripts.changeState(this.keys, change, this.rule)).then(
      (reply) => this.observe(reply.state),
      (error: unknown) => this.logger.error({ err: error, op: change.op }, 'shared site state not changed'),
    );
  }

  /** Takes a state heard from Redis unless a newer one was heard already. */
  private observe(state: SharedSiteState): void {
    if (state.version < this.mirror.version) return;
    // No change shortens a pause, so the later of the two is right, this node's own guess included.
    this.setMirror({ ...state, pausedUntil: Math.max(state.pausedUntil, this.mirror.pausedUntil) });
  }

  private pauseMirror(pauseMs: number): void {
    const until = this.now() + this.clockOffsetMs + pauseMs;
    if (until > this.mirror.pausedUntil) this.setMirror({ ...this.mirror, pausedUntil: until });
  }

  private setMirror(next: SharedSiteState): void {
    const before = this.mirror;
    this.mirror = next;
    if (
      before.pausedUntil === next.pausedUntil &&
      before.ratePerSec === next.ratePerSec &&
      before.circuitOpenUntil === next.circuitOpenUntil
    ) {
      return;
    }
    for (const listener of this.changeListeners) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error }, 'a change listener threw');
      }
    }
  }

  /** Runs a script and keeps Redis's clock offset from its reply. */
  private async timed<T extends { readonly redisNow: number }>(call: () => Promise<T>): Promise<T> {
    const sentAt = this.now();
    const reply = await call();
    // Within half the round trip; used only to show Redis times in this node's terms.
    this.clockOffsetMs = reply.redisNow - (sentAt + this.now()) / 2;
    return reply;
  }

  private toLocal(redisMs: number): number {
    return redisMs === 0 ? 0 : redisMs - this.clockOffsetMs;
  }
}
