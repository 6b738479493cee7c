import { describe, expect, it } from 'vitest';
import { clientAddress } from './http/client-address';
import { originOf } from './http/origins';
import { SocketGuard } from './socket-guard';

describe('SocketGuard connection cap', () => {
  it('refuses the connection past the cap from one address, admits another address, and frees a place on close', () => {
    const guard = new SocketGuard({ connectionsPerClient: 2 });
    for (let i = 0; i < 2; i++) {
      expect(guard.admit({ address: '10.0.0.5' })).toEqual({ ok: true });
      expect(guard.opened('10.0.0.5')).toBe(true);
    }
    expect(guard.admit({ address: '10.0.0.5' })).toEqual({
      ok: false,
      code: 'too_many_connections',
      message: 'too many connections from 10.0.0.5: 2 open, at most 2 per client address',
    });
    expect(guard.admit({ address: '10.0.0.6' })).toEqual({ ok: true });
    guard.closed('10.0.0.5');
    expect(guard.connections('10.0.0.5')).toBe(1);
    expect(guard.admit({ address: '10.0.0.5' })).toEqual({ ok: true });
  });

  it('admitting counts nothing; an open past the cap (handshakes admitted together) is refused', () => {
    const guard = new SocketGuard({ connectionsPerClient: 1 });
    expect(guard.admit({ address: 'a' }).ok).toBe(true);
    expect(guard.admit({ address: 'a' }).ok).toBe(true);
    expect(guard.connections('a')).toBe(0);
    expect(guard.opened('a')).toBe(true);
    expect(guard.opened('a')).toBe(false);
    expect(guard.connections('a')).toBe(1);
  });

  it('forgets an address once its last connection closed', () => {
    const guard = new SocketGuard({ connectionsPerClient: 3 });
    guard.opened('a');
    guard.opened('b');
    expect(guard.clients).toBe(2);
    guard.closed('a');
    guard.closed('b');
    expect(guard.clients).toBe(0);
  });

  it('refuses a cap it cannot work with, naming it', () => {
    expect(() => new SocketGuard({ connectionsPerClient: 0 })).toThrow('Expected `connectionsPerClient` to be an integer >= 1, got 0');
    expect(() => new SocketGuard({ connectionsPerClient: 1, allowedOrigins: ['https://a.test/path'] })).toThrow(
      'Expected each of `allowedOrigins` to be an origin like https://sitescan.example.com, got "https://a.test/path"',
    );
  });
});

describe('SocketGuard origins', () => {
  const guard = new SocketGuard({ connectionsPerClient: 10, allowedOrigins: ['https://dashboard.example.com'] });
  const admit = (origin: string | undefined, host = 'sitescan.local:3000') => guard.admit({ address: 'a', origin, host });

  it('admits a client without an Origin (not a browser)', () => {
    expect(admit(undefined)).toEqual({ ok: true });
  });

  it('admits the instance’s own origin, by host and port, whatever the scheme', () => {
    expect(admit('http://sitescan.local:3000')).toEqual({ ok: true });
    expect(admit('https://SITESCAN.local:3000')).toEqual({ ok: true });
    expect(admit('https://sitescan.example.com', 'sitescan.example.com')).toEqual({ ok: true });
  });

  it('admits a listed origin', () => {
    expect(admit('https://dashboard.example.com')).toEqual({ ok: true });
  });

  it('refuses a foreign origin, the same host on another port, an opaque origin, and says why', () => {
    expect(admit('https://evil.example')).toEqual({
      ok: false,
      code: 'origin_not_allowed',
      message: 'origin "https://evil.example" may not connect: only pages of this site (sitescan.local:3000) or of an origin in ALLOWED_ORIGINS may',
    });
    expect(admit('http://sitescan.local:4000').ok).toBe(false);
    expect(admit('http://dashboard.example.com').ok).toBe(false);
    expect(admit('null').ok).toBe(false);
    expect(admit('file:///home/x.html').ok).toBe(false);
    expect(admit('https://evil.example', undefined).ok).toBe(false);
  });
});

describe('originOf and clientAddress', () => {
  it('reads an http(s) origin and nothing more', () => {
    expect(originOf('https://A.example.com:443')).toBe('https://a.example.com');
    expect(originOf('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000');
    expect(originOf('https://a.example.com/app')).toBeUndefined();
    expect(originOf('https://user@a.example.com')).toBeUndefined();
    expect(originOf('ftp://a.example.com')).toBeUndefined();
    expect(originOf('a.example.com')).toBeUndefined();
  });

  it('writes an IPv4 client on an IPv6 socket as IPv4', () => {
    const none = new Set<string>();
    expect(clientAddress('::ffff:10.0.0.5', undefined, none)).toBe('10.0.0.5');
    expect(clientAddress('::1', undefined, none)).toBe('::1');
    expect(clientAddress(undefined, undefined, none)).toBe('unknown');
  });
});
