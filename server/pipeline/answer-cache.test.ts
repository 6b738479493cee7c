import { describe, expect, it } from 'vitest';
import { AnswerCache, answerKey, MAX_CACHED_ANSWERS } from './answer-cache';

const answer = (name: string) => ({ listings: [{ name }] });

describe('answerKey', () => {
  it('treats case, spacing and unicode forms alike, and keeps sites apart', () => {
    expect(answerKey('a', { name: 'Blue  Door ' })).toBe(answerKey('a', { name: 'blue door' }));
    expect(answerKey('a', { name: 'Ｂlue door' })).toBe(answerKey('a', { name: 'blue door' }));
    expect(answerKey('a', { name: 'x' })).not.toBe(answerKey('b', { name: 'x' }));
    expect(answerKey('a', { name: 'x', location: 'Austin' })).not.toBe(answerKey('a', { name: 'x' }));
  });
});

describe('AnswerCache', () => {
  it('answers until the TTL ends, and stores nothing with TTL 0', () => {
    let now = 0;
    const cache = new AnswerCache(() => now);
    cache.set('k', answer('A'), 1_000);
    cache.set('never', answer('B'), 0);
    expect(cache.get('k')).toEqual(answer('A'));
    expect(cache.get('never')).toBeUndefined();
    now = 999;
    expect(cache.get('k')).toEqual(answer('A'));
    now = 1_000;
    expect(cache.get('k')).toBeUndefined();
  });

  it('stays bounded', () => {
    const cache = new AnswerCache(() => 0);
    for (let i = 0; i <= MAX_CACHED_ANSWERS; i++) cache.set(`k${i}`, answer('x'), 1_000);
    expect(cache.size).toBe(MAX_CACHED_ANSWERS);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get(`k${MAX_CACHED_ANSWERS}`)).toBeDefined();
  });

  it('makes identical in-flight requests once', async () => {
    const cache = new AnswerCache();
    let calls = 0;
    let release!: (value: { listings: { name: string }[] }) => void;
    const request = () => {
      calls++;
      return new Promise<{ listings: { name: string }[] }>((resolve) => (release = resolve));
    };
    const first = cache.coalesce('k', request);
    const second = cache.coalesce('k', request);
    expect(cache.pending('k')).toBeDefined();
    release(answer('A'));
    expect(await first).toEqual({ answer: answer('A'), coalesced: false });
    expect(await second).toEqual({ answer: answer('A'), coalesced: true });
    expect(calls).toBe(1);
    expect(cache.pending('k')).toBeUndefined();
  });

  it('shares a failure and then lets the next request through', async () => {
    const cache = new AnswerCache();
    const failing = cache.coalesce('k', () => Promise.reject(new Error('502')));
    const rider = cache.coalesce('k', () => Promise.resolve(answer('never called')));
    await expect(failing).rejects.toThrow('502');
    await expect(rider).rejects.toThrow('502');
    expect(await cache.coalesce('k', () => Promise.resolve(answer('B')))).toEqual({ answer: answer('B'), coalesced: false });
  });
});
