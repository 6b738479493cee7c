import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { describeSchedulerConformance } from '../pipeline/scheduler-conformance';
import { ClusterScheduler } from './cluster-scheduler';
import { ClusterSignals } from './cluster-signals';
import { RedisSiteLimiter } from './redis-site-limiter';
import { withServices } from '../../scripts/testing/with-services';

withServices('ClusterScheduler', ['redis'], ({ redis: url }) => {
  describeSchedulerConformance('ClusterScheduler (BullMQ + Redis limits)', async (sites, hooks) => {
    const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
    const prefix = `test-${randomBytes(6).toString('hex')}`;
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    const signals = new ClusterSignals({ redis, logger });
    const limiters = new Map<string, RedisSiteLimiter>();
    for (const site of sites) {
      limiters.set(site.id, await RedisSiteLimiter.open({ redis, signals, siteId: site.id, limits: site.limits, keyPrefix: `${prefix}:`, logger }));
    }
    const scheduler = await ClusterScheduler.start({
      sites,
      hooks,
      connection: redis,
      limiters,
      revive: (queued) => ({ ...queued, abort: new AbortController() }),
      logger,
      prefix,
    });
    return {
      scheduler,
      async cleanup() {
        for (const limiter of limiters.values()) limiter.close();
        await signals.close();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
        redis.disconnect();
      },
    };
  });
});
