import { describe, expect, it } from 'vitest';
import { accessGate, socketHasAccess } from './access-token';

const TOKEN = 'team-token-0123456789';

describe('accessGate', () => {
  const gate = accessGate(TOKEN);

  it('lets everything pass when no token is set', () => {
    expect(accessGate(undefined)({ method: 'POST', url: '/api/searches' })).toEqual({ kind: 'pass' });
  });

  it('keeps /api/health open and passes the token from the cookie or a bearer header', () => {
    expect(gate({ method: 'GET', url: '/api/health' })).toEqual({ kind: 'pass' });
    expect(gate({ method: 'HEAD', url: '/api/health?x=1' })).toEqual({ kind: 'pass' });
    expect(gate({ method: 'POST', url: '/api/searches', authorization: `Bearer ${TOKEN}` })).toEqual({ kind: 'pass' });
    expect(gate({ method: 'GET', url: '/history', cookie: `theme=dark; sitescan_access=${TOKEN}` })).toEqual({ kind: 'pass' });
  });

  it('lets a browser in by the link once: the cookie is set and the token leaves the address', () => {
    expect(gate({ method: 'GET', url: `/s/abc?access_token=${TOKEN}&tab=log` })).toEqual({
      kind: 'enter',
      location: '/s/abc?tab=log',
      cookie: `sitescan_access=${TOKEN}; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000`,
    });
  });

  it('refuses everything else: a page to a browser, JSON to the API and programs', () => {
    expect(gate({ method: 'GET', url: '/', accept: 'text/html,application/xhtml+xml' })).toEqual({ kind: 'refuse', page: true });
    expect(gate({ method: 'GET', url: '/?access_token=wrong-token-000000', accept: 'text/html' })).toEqual({ kind: 'refuse', page: true });
    expect(gate({ method: 'GET', url: '/api/searches', accept: 'text/html' })).toEqual({ kind: 'refuse', page: false });
    expect(gate({ method: 'POST', url: '/api/searches', authorization: 'Bearer team-token-012345678' })).toEqual({ kind: 'refuse', page: false });
    expect(gate({ method: 'GET', url: '/metrics', cookie: 'sitescan_access=' })).toEqual({ kind: 'refuse', page: false });
    // Health by another method is not the probe.
    expect(gate({ method: 'POST', url: '/api/health' }).kind).toBe('refuse');
  });
});

describe('socketHasAccess', () => {
  it('accepts the token as cookie or bearer header, and anything without a token set', () => {
    expect(socketHasAccess(undefined, {})).toBe(true);
    expect(socketHasAccess(TOKEN, { cookie: `sitescan_access=${TOKEN}` })).toBe(true);
    expect(socketHasAccess(TOKEN, { authorization: `Bearer ${TOKEN}` })).toBe(true);
    expect(socketHasAccess(TOKEN, { authorization: 'Bearer nope' })).toBe(false);
    expect(socketHasAccess(TOKEN, {})).toBe(false);
  });
});
