/**
 * Whether Redis answers now, within a bound: what health and admission ask before they rely on
 * it. The connections of a node wait for Redis for ever (`maxRetriesPerRequest: null`, so that no
 * command of a running search is dropped); a question about Redis itself must not wait with them.
 */
import type { Redis } from 'ioredis';

/** How long a PING may take before Redis counts as unreachable, ms. */
export const REDIS_ANSWER_MS = 1_000;

/** Resolves true when Redis answers a PING within `timeoutMs`, false otherwise; never rejects. */
export async function redisAnswers(redis: Redis, timeoutMs = REDIS_ANSWER_MS): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then(() => true, () => false), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a step that needs Redis, giving up after `timeoutMs` with `onTimeout()`'s error (the
 * step itself may still complete later: the connection keeps it queued).
 */
export async function withinRedisTime<T>(step: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([step, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
