import type { Command } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEND_MARGIN_MS, type SendPermit } from '../pipeline/send-window';
import type { RedisSiteLimiter } from './redis-site-limiter';
import { SiteLimiterUnavailableError } from './site-limiter-unavailable-error';
import { stateAfter, TestCluster, whenMirror } from './test-support';
import { withServices } from '../../scripts/testing/with-services';

/** A signal that never aborts. */
const never = new AbortController().signal;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The most times found in any half-open window of `windowMs`. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The shortest span between a time and the one `requests` places after it. */
function shortestSpan(times: readonly number[], requests: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let shortest = Infinity;
  for (let i = 0; i + requests < sorted.length; i++) shortest = Math.min(shortest, sorted[i + requests]! - sorted[i]!);
  return shortest;
}

withServices('RedisSiteLimiter', ['redis'], ({ redis: url }) => {
  let cluster: TestCluster;

  beforeEach(() => {
    cluster = new TestCluster(url);
  });

  afterEach(async () => {
    await cluster.dispose();
  });

  describe('RedisSiteLimiter send window', () => {
    it('three nodes acquiring as fast as they can send at most `requests` per window, and use all of it', async () => {
      const limits = { concurrency: 5, requests: 5, perMs: 300 };
      const windowMs = limits.perMs + SEND_MARGIN_MS;
      const limiters = await Promise.all([0, 1, 2].map(() => cluster.node().limiter(limits)));
      const channel = await cluster.listen();
      const callerSends: number[] = [];
      const runMs = 1_500;
      const stop = new AbortController();

      const loop = async (limiter: RedisSiteLimiter) => {
        for (;;) {
          let permit: SendPermit;
          try {
            permit = await limiter.acquire(stop.signal);
          } catch (error) {
            if (error === stop.signal.reason) return;
            throw error;
          }
          const at = Date.now();
          callerSends.push(at);
          permit.markSent(at);
          permit.settle();
        }
      };
      const timer = setTimeout(() => stop.abort(new Error('run over')), runMs);
      await Promise.all(limiters.flatMap((limiter) => [loop(limiter), loop(limiter), loop(limiter)]));
      clearTimeout(timer);
      await channel.when(() => channel.signals.filter((signal) => signal.kind === 'sent').length >= callerSends.length);

      const redisSends = channel.signals.flatMap((signal) => (signal.kind === 'sent' ? [signal.at] : []));
      expect(redisSends).toHaveLength(callerSends.length);
      // What the site sees, from the callers' clock: never more than 5 in any 300 ms.
      expect(maxInWindow(callerSends, limits.perMs)).toBeLessThanOrEqual(limits.requests);
      // What Redis recorded: the 6th send is at least a whole window plus the margin after the 1st.
      expect(shortestSpan(redisSends, limits.requests)).toBeGreaterThanOrEqual(windowMs - 0.01);
      // As fast as the limit allows: 5 sends at the start of each window of the run.
      const theoreticalMax = limits.requests * Math.ceil(runMs / windowMs);
      expect(callerSends.length).toBeGreaterThanOrEqual(0.9 * theoreticalMax);
      expect(callerSends.length).toBeLessThanOrEqual(theoreticalMax + limits.requests);
    });

    it('counts a reservation not yet sent, and frees it at once when it is settled unsent', async () => {
      const limits = { concurrency: 2, requests: 1, perMs: 5_000 };
      const a = await cluster.node().limiter(limits);
      const b = await cluster.node().limiter(limits);
      const held = await a.acquire(never);

      const waiting = b.acquire(never);
      expect(await stateAfter(waiting, 150)).toBe('pending');
      expect(await b.windowUse()).toEqual({ sent: 0, reserved: 1 });

      const freedAt = Date.now();
      held.settle();
      const permit = await waiting;
      // No send, so no window edge: only the 'freed' message (or a 90 s stale bound) could wake it.
      expect(Date.now() - freedAt).toBeLessThan(100);
      expect(await b.windowUse()).toEqual({ sent: 0, reserved: 1 });
      permit.settle();
    });

    it('counts a late send from when it was sent, not from its admission', async () => {
      const limits = { concurrency: 2, requests: 2, perMs: 300 };
      const a = await cluster.node().limiter(limits);
      const b = await cluster.node().limiter(limits);
      const acquiredAt = Date.now();
      const permits = await Promise.all([a.acquire(never), a.acquire(never)]);
      const third = b.acquire(never).then((permit) => ({ permit, at: Date.now() }));

      await delay(150);
      const sentAt = Date.now();
      for (const permit of permits) permit.markSent(sentAt);
      const { permit, at } = await third;

      expect(at - sentAt).toBeGreaterThanOrEqual(limits.perMs + SEND_MARGIN_MS - 1);
      expect(at - acquiredAt).toBeGreaterThanOrEqual(150 + limits.perMs + SEND_MARGIN_MS - 1);
      // Promptly then: B heard the sends and slept on one timer until the first one left.
      expect(at - sentAt).toBeLessThan(limits.perMs + SEND_MARGIN_MS + 100);
      permit.settle();
      for (const sent of permits) sent.settle();
    });

    it('rejects an aborted wait with its reason, and it takes no place', async () => {
      const limits = { concurrency: 2, requests: 1, perMs: 5_000 };
      const a = await cluster.node().limiter(limits);
      const b = await cluster.node().limiter(limits);
      const held = await a.acquire(never);

      const controller = new AbortController();
      const reason = new Error('search cancelled');
      const waiting = b.acquire(controller.signal);
      expect(await stateAfter(waiting, 100)).toBe('pending');
      controller.abort(reason);
      await expect(waiting).rejects.toBe(reason);

      const aborted = AbortSignal.abort(new Error('deadline'));
      await expect(b.acquire(aborted)).rejects.toBe(aborted.reason);
      expect(await a.windowUse()).toEqual({ sent: 0, reserved: 1 });

      held.settle();
      const before = Date.now();
      const permit = await b.acquire(never);
      expect(Date.now() - before).toBeLessThan(100);
      permit.settle();
    });

    it('frees a place admitted for a waiter that aborted while its admission was in flight', async () => {
      const limits = { concurrency: 2, requests: 1, perMs: 5_000 };
      const node = cluster.node();
      const limiter = await node.limiter(limits);
      const channel = await cluster.listen();
      const controller = new AbortController();
      const reason = new Error('search cancelled');
      const sendCommand = node.redis.sendCommand.bind(node.redis);
      vi.spyOn(node.redis, 'sendCommand').mockImplementation((command: Command, ...rest) => {
        const result = sendCommand(command, ...rest);
        // The admission has left for Redis: the waiter leaves before its answer comes back.
        if (command.name.startsWith('eval') && command.args.includes(cluster.keys.reserved)) controller.abort(reason);
        return result;
      });

      const freed = channel.next('freed');
      await expect(limiter.acquire(controller.signal)).rejects.toBe(reason);
      await freed;
      vi.restoreAllMocks();
      expect(await limiter.windowUse()).toEqual({ sent: 0, reserved: 0 });
    });

    it('expires the reservations of a node that died before it sent, and only those', async () => {
      const limits = { concurrency: 2, requests: 2, perMs: 5_000 };
      const staleReservationMs = 300;
      const dead = cluster.node();
      const a = await dead.limiter(limits, { staleReservationMs });
      const b = await cluster.node().limiter(limits, { staleReservationMs });
      const reservedBefore = Date.now();
      await a.acquire(never);
      dead.kill();
      // A live node's reservation, younger: it keeps the key alive and must outlast the dead one.
      await delay(150);
      const live = await b.acquire(never);

      const permit = await b.acquire(never);
      const at = Date.now();
      expect(at - reservedBefore).toBeGreaterThanOrEqual(staleReservationMs - 1);
      expect(at - reservedBefore).toBeLessThan(staleReservationMs + 100);
      expect(await b.windowUse()).toEqual({ sent: 0, reserved: 2 });
      permit.settle();
      live.settle();
    });

    it('tries again at once when its place freed while a refusal was on its way back', async () => {
      const limits = { concurrency: 2, requests: 1, perMs: 5_000 };
      const a = await cluster.node().limiter(limits);
      const nodeB = cluster.node();
      const b = await nodeB.limiter(limits);
      const held = await a.acquire(never);
      // Subscribed after the limiter: when this listener hears 'freed', the limiter has heard it.
      let freedOnB!: () => void;
      const heardOnB = new Promise<void>((resolve) => (freedOnB = resolve));
      await nodeB.signals.subscribe(cluster.keys.channel, (message) => {
        if (message.includes('"freed"')) freedOnB();
      });
      const sendCommand = nodeB.redis.sendCommand.bind(nodeB.redis);
      let first = true;
      vi.spyOn(nodeB.redis, 'sendCommand').mockImplementation((command: Command, ...rest) => {
        const result = sendCommand(command, ...rest);
        if (!first || !command.name.startsWith('eval') || !command.args.includes(cluster.keys.reserved)) return result;
        first = false;
        // Redis has refused B; the place frees and B hears of it before it reads the refusal.
        return (result as Promise<unknown>).then(async (reply) => {
          held.settle();
          await heardOnB;
          return reply;
        });
      });

      const before = Date.now();
      const permit = await b.acquire(never);
      // Without a retry it would sleep on the refusal's timer: the 90 s stale bound.
      expect(Date.now() - before).toBeLessThan(200);
      expect(first).toBe(false);
      vi.restoreAllMocks();
      permit.settle();
    });

    it('counts sends and reservations of every node in `windowUse`', async () => {
      const limits = { concurrency: 5, requests: 5, perMs: 5_000 };
      const a = await cluster.node().limiter(limits);
      const b = await cluster.node().limiter(limits);
      const channel = await cluster.listen();
      const [sent, reserved] = await Promise.all([a.acquire(never), b.acquire(never)]);
      const recorded = channel.next('sent');
      sent.markSent(Date.now());
      await recorded;
      expect(await b.windowUse()).toEqual({ sent: 1, reserved: 1 });
      reserved.settle();
      sent.settle();
    });

    it('rejects waiting acquires when it closes', async () => {
      const limits = { concurrency: 2, requests: 1, perMs: 5_000 };
      const a = await cluster.node().limiter(limits);
      const b = await cluster.node().limiter(limits);
      const held = await a.acquire(never);
      const waiting = b.acquire(never);
      expect(await stateAfter(waiting, 50)).toBe('pending');
      b.close();
      await expect(waiting).rejects.toBeInstanceOf(SiteLimiterUnavailableError);
      await expect(b.acquire(never)).rejects.toBeInstanceOf(SiteLimiterUnavailableError);
      held.settle();
    });
    it('refuses waiters when Redis fails, and never throws into the request path', async () => {
      const limits = { concurrency: 2, requests: 5, perMs: 1_000 };
      const node = cluster.node();
      const limiter = await node.limiter(limits);
      const permit = await limiter.acquire(never);
      node.redis.disconnect();

      const refused = limiter.acquire(never);
      await expect(refused).rejects.toBeInstanceOf(SiteLimiterUnavailableError);
      await expect(refused).rejects.toHaveProperty('cause');
      expect(() => {
        permit.markSent(Date.now());
        permit.settle();
        limiter.pushBack(100);
        limiter.windowExhausted(100);
        limiter.openCircuit(Date.now() + 100);
        limiter.closeCircuit();
      }).not.toThrow();
    });
  });

  describe('RedisSiteLimiter shared state', () => {
    it('pauses every node on push-back, halves the rate and grows it back by 5% per success', async () => {
      const limits = { concurrency: 2, requests: 10, perMs: 1_000 };
      const a = await cluster.node().limiter(limits);
      const b = await cluster.node().limiter(limits);

      const heard = whenMirror(b, () => b.pausedUntil > Date.now());
      const pushedAt = Date.now();
      a.pushBack(400);
      // This node's callers see it at once.
      expect(a.pausedUntil).toBeGreaterThanOrEqual(pushedAt + 400);
      await heard;
      expect(Date.now() - pushedAt).toBeLessThan(100);
      expect(b.pausedUntil).toBeGreaterThanOrEqual(pushedAt + 395);
      expect(b.pausedUntil).toBeLessThanOrEqual(Date.now() + 405);
      expect(b.stats()).toEqual({ adaptiveLimitPerSec: 5, pausedUntil: b.pausedUntil });

      const first = await b.acquire(never);
      const firstAt = Date.now();
      expect(firstAt).toBeGreaterThanOrEqual(pushedAt + 399);
      expect(firstAt - pushedAt).toBeLessThan(400 + 100);
      first.markSent(firstAt);
      // At 5 a second, admissions are paced 200 ms apart, on every node.
      const second = await a.acquire(never);
      expect(Date.now() - firstAt).toBeGreaterThanOrEqual(190);
      second.markSent(Date.now());

      for (let successes = 1; successes <= 10; successes++) {
        const expected = 5 + 0.5 * successes;
        const grown = whenMirror(a, () => a.stats().adaptiveLimitPerSec >= expected - 1e-9);
        b.succeeded();
        await grown;
        expect(a.stats().adaptiveLimitPerSec).toBeCloseTo(expected, 9);
      }
      expect(a.stats()).toEqual({ adaptiveLimitPerSec: 10 });
      first.settle();
      second.settle();
    });

    it('halves the rate on each push-back down to the floor share, and pauses one window when the site did not say', async () => {
      const limits = { concurrency: 2, requests: 10, perMs: 200 };
      const a = await cluster.node().limiter(limits);
      const b = await cluster.node().limiter(limits);
      const rates = [25, 12.5, 6.25, 3.125, 2.5, 2.5];
      for (const rate of rates) {
        const pushedAt = Date.now();
        const heard = whenMirror(b, () => b.stats().adaptiveLimitPerSec === rate && b.pausedUntil >= pushedAt + limits.perMs - 5);
        a.pushBack(undefined);
        await heard;
      }
      expect(b.stats().adaptiveLimitPerSec).toBe(2.5);
    });

    it('pauses on a spent window without slowing down', async () => {
      const limits = { concurrency: 2, requests: 10, perMs: 1_000 };
      const a = await cluster.node().limiter(limits);
      const b = await cluster.node().limiter(limits);
      const heard = whenMirror(b, () => b.pausedUntil > Date.now());
      const exhaustedAt = Date.now();
      a.windowExhausted(300);
      await heard;
      expect(b.stats()).toEqual({ adaptiveLimitPerSec: 10, pausedUntil: b.pausedUntil });
      const permit = await b.acquire(never);
      expect(Date.now()).toBeGreaterThanOrEqual(exhaustedAt + 299);
      permit.settle();
    });

    it('shares the circuit: open until a time on every node, then closed', async () => {
      const limits = { concurrency: 2, requests: 10, perMs: 1_000 };
      const a = await cluster.node().limiter(limits);
      const b = await cluster.node().limiter(limits);
      expect(b.circuitOpenUntil).toBe(0);
      const until = Date.now() + 5_000;
      const opened = whenMirror(b, () => b.circuitOpenUntil > 0);
      a.openCircuit(until);
      await opened;
      expect(Math.abs(b.circuitOpenUntil - until)).toBeLessThan(20);

      const closed = whenMirror(b, () => b.circuitOpenUntil === 0);
      a.closeCircuit();
      await closed;
      expect(b.circuitOpenUntil).toBe(0);
    });

    it('reads the shared state when it opens, before any message', async () => {
      const limits = { concurrency: 2, requests: 10, perMs: 1_000 };
      const a = await cluster.node().limiter(limits);
      const pushed = whenMirror(a, () => a.stats().adaptiveLimitPerSec === 5);
      a.pushBack(2_000);
      a.openCircuit(Date.now() + 3_000);
      await pushed;
      await whenMirror(a, () => a.circuitOpenUntil > 0);

      const late = await cluster.node().limiter(limits);
      expect(late.stats().adaptiveLimitPerSec).toBe(5);
      expect(late.pausedUntil).toBeGreaterThan(Date.now() + 1_500);
      expect(late.circuitOpenUntil).toBeGreaterThan(Date.now() + 2_500);
    });

    it('reads the shared state again after its subscriber connection dropped and missed a change', async () => {
      const limits = { concurrency: 2, requests: 10, perMs: 1_000 };
      const a = await cluster.node().limiter(limits);
      const subscriber = cluster.connection({ retryStrategy: () => 300 });
      // Asked before it subscribes: a subscribed connection takes no CLIENT command.
      const id = String(await subscriber.client('ID'));
      const b = await cluster.node({ subscriber }).limiter(limits);

      const dropped = new Promise((resolve) => subscriber.once('close', resolve));
      await cluster.connection().client('KILL', 'ID', id);
      await dropped;
      const pushed = whenMirror(a, () => a.stats().adaptiveLimitPerSec === 5);
      a.pushBack(5_000);
      await pushed;
      // Published while B could not hear it.
      expect(b.stats().adaptiveLimitPerSec).toBe(10);

      await whenMirror(b, () => b.stats().adaptiveLimitPerSec === 5, 3_000);
      expect(b.pausedUntil).toBeGreaterThan(Date.now() + 4_000);
    });

    it('costs no Redis command on success while the rate is the configured one', async () => {
      const limits = { concurrency: 2, requests: 10, perMs: 1_000 };
      const node = cluster.node();
      const limiter = await node.limiter(limits);
      const sendCommand = vi.spyOn(node.redis, 'sendCommand');

      for (let i = 0; i < 100; i++) limiter.succeeded();
      expect(sendCommand).not.toHaveBeenCalled();

      // Below the configured rate, a success goes to Redis: the spy does see commands.
      const slowed = whenMirror(limiter, () => limiter.stats().adaptiveLimitPerSec < 10);
      limiter.pushBack(0);
      await slowed;
      sendCommand.mockClear();
      limiter.succeeded();
      expect(sendCommand).toHaveBeenCalledTimes(1);
      vi.restoreAllMocks();
    });
  });
});
