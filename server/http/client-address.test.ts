import { describe, expect, it } from 'vitest';
import { clientAddress, normalizeAddress, parseTrustedProxies } from './client-address';

describe('clientAddress', () => {
  const trusted = parseTrustedProxies('10.0.0.2, 10.0.0.3');

  it('is the peer when no proxy is trusted, whatever the header says', () => {
    expect(clientAddress('198.51.100.4', '1.2.3.4', new Set())).toBe('198.51.100.4');
    expect(clientAddress('198.51.100.4', '1.2.3.4', trusted)).toBe('198.51.100.4');
  });

  it('walks the forwarded hops from the right while each hop is trusted', () => {
    expect(clientAddress('10.0.0.3', '203.0.113.7, 10.0.0.2', trusted)).toBe('203.0.113.7');
    // A client that prepends a forged hop does not get past the first untrusted address.
    expect(clientAddress('10.0.0.3', '1.1.1.1, 203.0.113.7, 10.0.0.2', trusted)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.3', ['203.0.113.7', '10.0.0.2'], trusted)).toBe('203.0.113.7');
    // Garbage in the header stops the walk at the last trusted hop.
    expect(clientAddress('10.0.0.3', 'not-an-ip', trusted)).toBe('10.0.0.3');
    expect(clientAddress('::ffff:10.0.0.3', '203.0.113.7', trusted)).toBe('203.0.113.7');
  });

  it('reads TRUST_PROXY, refusing an entry that is not an IP address', () => {
    expect([...parseTrustedProxies('::ffff:10.0.0.3,::1')]).toEqual(['10.0.0.3', '::1']);
    expect(parseTrustedProxies(undefined).size).toBe(0);
    expect(() => parseTrustedProxies('10.0.0.2,proxy.internal')).toThrow(/TRUST_PROXY must be IP addresses.*"proxy\.internal"/);
    expect(normalizeAddress(' ::FFFF:127.0.0.1 ')).toBe('127.0.0.1');
  });
});
