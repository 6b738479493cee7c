import { describe, expect, it } from 'vitest';
import { OverloadedError } from '../errors';
import { ClientRateLimiter } from './client-rate-limiter';

describe('ClientRateLimiter', () => {
  it('lets each client start its quota, then refuses with when to retry', async () => {
    const limiter = new ClientRateLimiter(3);
    for (let i = 0; i < 3; i++) await limiter.take('10.0.0.1');
    const refused = limiter.take('10.0.0.1');
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    await expect(refused).rejects.toMatchObject({
      message: expect.stringMatching(/too many searches from this client \(limit 3 per minute\); try again in \d+ s/),
      retryAfterMs: expect.any(Number),
    });
    // Another client is not affected.
    await expect(limiter.take('10.0.0.2')).resolves.toBeUndefined();
  });
});

describe('ClientRateLimiter for bulk rows', () => {
  it('names what it counts and its window', async () => {
    const limiter = new ClientRateLimiter(2, { things: 'bulk rows', seconds: 3600, per: 'hour' });
    await limiter.take('10.0.0.1');
    await limiter.take('10.0.0.1');
    await expect(limiter.take('10.0.0.1')).rejects.toMatchObject({
      message: expect.stringMatching(/too many bulk rows from this client \(limit 2 per hour\); try again in \d+ s/),
      retryAfterMs: expect.any(Number),
    });
  });
});
