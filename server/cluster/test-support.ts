/**
 * Nodes of a test cluster on a real Redis (`REDIS_URL`): each with its own command connection,
 * its own subscriber connection and the limiters it opens, all under one random key prefix that
 * `dispose` deletes.
 */
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { pino } from 'pino';
import type { SiteLimits } from '../sites/site-definition';
import { ClusterSignals } from './cluster-signals';
import { RedisSiteLimiter, type RedisSiteLimiterOptions } from './redis-site-limiter';
import { parseLimiterSignal, siteLimiterKeys, type LimiterSignal } from './site-limiter-scripts';

/** One stand-in node: connections and what was opened on them. */
export interface TestNode {
  readonly redis: Redis;
  readonly signals: ClusterSignals;
  /** Opens a limiter of the test site on this node. */
  limiter(limits: SiteLimits, options?: Partial<RedisSiteLimiterOptions>): Promise<RedisSiteLimiter>;
  /** Drops this node as a crash would: no settle, no unsubscribe, connections cut. */
  kill(): void;
}

/** What was said on the test site's channel. */
export interface SiteChannel {
  readonly signals: readonly LimiterSignal[];
  when(condition: () => boolean, timeoutMs?: number): Promise<void>;
  next(kind: LimiterSignal['kind'], timeoutMs?: number): Promise<void>;
}

/** Nodes sharing one Redis under a random prefix. */
export class TestCluster {
  readonly prefix = `test:${randomBytes(6).toString('hex')}:`;
  readonly siteId = `site-${randomBytes(3).toString('hex')}.test`;
  readonly logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  private readonly connections: Redis[] = [];
  private readonly closers: (() => Promise<void> | void)[] = [];

  constructor(private readonly url: string) {}

  /** The test site's keys and channel. */
  get keys() {
    return siteLimiterKeys(this.prefix, this.siteId);
  }

  /** A connection closed by `dispose`. */
  connection(options: RedisOptions = {}): Redis {
    const redis = new Redis(this.url, { maxRetriesPerRequest: 2, ...options });
    this.connections.push(redis);
    return redis;
  }

  /** A new node; its subscriber connection is its own unless one is given. */
  node(options: { readonly subscriber?: Redis } = {}): TestNode {
    const redis = this.connection();
    const signals = new ClusterSignals({ redis, subscriber: options.subscriber, logger: this.logger });
    const limiters: RedisSiteLimiter[] = [];
    let alive = true;
    this.closers.push(async () => {
      if (!alive) return;
      for (const limiter of limiters) limiter.close();
      await signals.close();
    });
    return {
      redis,
      signals,
      limiter: async (limits, options = {}) => {
        const limiter = await RedisSiteLimiter.open({
          redis,
          signals,
          siteId: this.siteId,
          limits,
          keyPrefix: this.prefix,
          logger: this.logger,
          ...options,
        });
        limiters.push(limiter);
        return limiter;
      },
      kill: () => {
        alive = false;
        // Only the timers of this process must stop; nothing is said to Redis.
        for (const limiter of limiters) limiter.close();
        void signals.close();
        redis.disconnect();
      },
    };
  }

  /**
   * Every message on the test site's channel from now on, in order. `when` resolves once its
   * condition holds (checked now and at each message); `next` waits for the next one of a kind.
   */
  async listen(): Promise<SiteChannel> {
    const subscriber = this.connection();
    const heard: LimiterSignal[] = [];
    const checks = new Set<() => void>();
    subscriber.on('message', (_channel: string, message: string) => {
      const signal = parseLimiterSignal(message);
      if (!signal) return;
      heard.push(signal);
      for (const check of checks) check();
    });
    await subscriber.subscribe(this.keys.channel);
    const when = (condition: () => boolean, timeoutMs = 2_000) =>
      new Promise<void>((resolve, reject) => {
        if (condition()) return resolve();
        const timer = setTimeout(() => {
          checks.delete(check);
          reject(new Error(`the site channel did not say what was expected within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (!condition()) return;
          clearTimeout(timer);
          checks.delete(check);
          resolve();
        };
        checks.add(check);
      });
    return {
      signals: heard,
      when,
      next: (kind, timeoutMs) => {
        const from = heard.length;
        return when(() => heard.slice(from).some((signal) => signal.kind === kind), timeoutMs);
      },
    };
  }

  /** Closes every node and connection, and deletes every key under the prefix. */
  async dispose(): Promise<void> {
    for (const close of this.closers.splice(0)) await close();
    const admin = new Redis(this.url);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await admin.del(...keys);
      } while (cursor !== '0');
    } finally {
      await admin.quit();
      for (const redis of this.connections.splice(0)) {
        if (redis.status !== 'end') redis.disconnect();
      }
    }
  }
}

/** Resolves when `predicate` holds, checked now and at each change of `limiter`'s mirror. */
export function whenMirror(limiter: RedisSiteLimiter, predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the mirror did not change as expected within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = limiter.onChange(() => {
      if (!predicate()) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

/** Whether `promise` has settled after `ms`: 'pending', 'resolved' or 'rejected'. */
export async function stateAfter(promise: Promise<unknown>, ms: number): Promise<'pending' | 'resolved' | 'rejected'> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => 'resolved' as const,
        () => 'rejected' as const,
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
