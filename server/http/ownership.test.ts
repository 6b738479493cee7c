import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../errors';
import { authorizeChange, cookieValue, ownerCookies, SearchCapabilities, tokenOf } from './ownership';

const SECRET = 'a-test-secret-of-at-least-32-characters';

describe('SearchCapabilities', () => {
  it('derives one capability per search and secret, and verifies only that one', () => {
    const capabilities = new SearchCapabilities(SECRET);
    const token = capabilities.tokenFor('search-a');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(capabilities.tokenFor('search-a')).toBe(token);
    expect(capabilities.verify('search-a', token)).toBe(true);
    expect(capabilities.verify('search-b', token)).toBe(false);
    expect(capabilities.verify('search-a', token.slice(0, 42))).toBe(false);
    expect(capabilities.verify('search-a', '')).toBe(false);
    // Another instance's secret makes other tokens; a random default differs per process.
    expect(new SearchCapabilities(`${SECRET}!`).verify('search-a', token)).toBe(false);
    expect(new SearchCapabilities().tokenFor('x')).not.toBe(new SearchCapabilities().tokenFor('x'));
  });

  it('refuses a short secret, naming the rule', () => {
    expect(() => new SearchCapabilities('short')).toThrow(/at least 32 characters, got 5/);
  });
});

describe('authorizeChange', () => {
  const capabilities = new SearchCapabilities(SECRET);
  const token = capabilities.tokenFor('s1');
  const ownership = { capabilities, creator: '10.0.0.1', addressFallback: true };

  it('lets the holder of the capability change the search from anywhere', () => {
    expect(() => authorizeChange('s1', { token, client: '192.0.2.9' }, ownership)).not.toThrow();
  });

  it('refuses a wrong capability even from the creating address', () => {
    expect(() => authorizeChange('s1', { token: capabilities.tokenFor('s2'), client: '10.0.0.1' }, ownership)).toThrow(ForbiddenError);
  });

  it('accepts a request without a capability from the creating address only when the fallback is on', () => {
    expect(() => authorizeChange('s1', { client: '10.0.0.1' }, ownership)).not.toThrow();
    expect(() => authorizeChange('s1', { client: '10.0.0.2' }, ownership)).toThrow(/only the client that started this search/);
    expect(() => authorizeChange('s1', { client: '10.0.0.1' }, { ...ownership, addressFallback: false })).toThrow(ForbiddenError);
    // A search this process did not start (another node, or ended) has no known creator.
    expect(() => authorizeChange('s1', { client: '10.0.0.1' }, { ...ownership, creator: undefined })).toThrow(ForbiddenError);
  });
});

describe('tokenOf and cookies', () => {
  it('reads the header first, else the cookie among others', () => {
    expect(tokenOf(new Headers({ 'x-cancel-token': ' abc ', cookie: 'sitescan_owner=def' }))).toBe('abc');
    expect(tokenOf(new Headers({ cookie: 'theme=dark; sitescan_owner=def; x=1' }))).toBe('def');
    expect(tokenOf(new Headers({ cookie: 'sitescan_owner_other=def' }))).toBeUndefined();
    expect(tokenOf(new Headers())).toBeUndefined();
    expect(cookieValue('a=1;b=2', 'b')).toBe('2');
  });

  it('scopes the cookies to the search\'s page and API paths, HttpOnly and SameSite=Lax', () => {
    expect(ownerCookies('id1', 'tok', false)).toEqual([
      'sitescan_owner=tok; Path=/s/id1; HttpOnly; SameSite=Lax; Max-Age=86400',
      'sitescan_owner=tok; Path=/api/searches/id1; HttpOnly; SameSite=Lax; Max-Age=86400',
    ]);
    expect(ownerCookies('id1', 'tok', true)[0]).toMatch(/; Secure$/);
  });
});
