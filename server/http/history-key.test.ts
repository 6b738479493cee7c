import { describe, expect, it } from 'vitest';
import { HISTORY_KEY_COOKIE, historyKeyCookie, historyKeyFor, historyKeyOf, newHistoryKey, ownerOfKey } from './history-key';

describe('history key', () => {
  it('is 256 random bits, URL-safe, and different each time', () => {
    const [a, b] = [newHistoryKey(), newHistoryKey()];
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('is read from its cookie only when well formed', () => {
    const key = newHistoryKey();
    expect(historyKeyOf(`theme=dark; ${HISTORY_KEY_COOKIE}=${key}; other=1`)).toBe(key);
    expect(historyKeyOf(`${HISTORY_KEY_COOKIE}=${key.slice(1)}`)).toBeUndefined();
    expect(historyKeyOf(`${HISTORY_KEY_COOKIE}=${key.slice(0, -1)}!`)).toBeUndefined();
    expect(historyKeyOf(`x${HISTORY_KEY_COOKIE}=${key}`)).toBeUndefined();
    expect(historyKeyOf(undefined)).toBeUndefined();
    expect(historyKeyOf('')).toBeUndefined();
  });

  it('is stored as a digest that names the key without revealing it', () => {
    const key = newHistoryKey();
    expect(ownerOfKey(key)).toBe(ownerOfKey(key));
    expect(ownerOfKey(key)).not.toContain(key);
    expect(ownerOfKey(key)).not.toBe(ownerOfKey(newHistoryKey()));
  });

  it('is kept in an HttpOnly, SameSite=Lax cookie on every path, Secure over HTTPS', () => {
    expect(historyKeyCookie('k', false)).toBe(`${HISTORY_KEY_COOKIE}=k; Path=/; HttpOnly; SameSite=Lax; Max-Age=34560000`);
    expect(historyKeyCookie('k', true)).toMatch(/; Secure$/);
  });

  it('is the request\'s own when it has one, else a new one with the cookie to set', () => {
    const key = newHistoryKey();
    expect(historyKeyFor(new Headers({ cookie: `${HISTORY_KEY_COOKIE}=${key}` }), false)).toStrictEqual({ key });
    const fresh = historyKeyFor(new Headers({ cookie: `${HISTORY_KEY_COOKIE}=forged` }), true);
    expect(fresh.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh.setCookie).toBe(historyKeyCookie(fresh.key, true));
  });
});
