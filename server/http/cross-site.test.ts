import { describe, expect, it } from 'vitest';
import { crossSiteRefusal } from './cross-site';

describe('crossSiteRefusal', () => {
  const host = 'sitescan.example:3000';

  it('lets safe methods through from anywhere', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(crossSiteRefusal(method, { host, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' })).toBeUndefined();
    }
  });

  it('refuses a state change a browser sent from another origin', () => {
    expect(crossSiteRefusal('POST', { host, origin: 'http://evil.example' })).toMatchObject({ code: 'cross_site', message: expect.stringMatching(/evil\.example/) });
    expect(crossSiteRefusal('DELETE', { host, origin: 'null' })?.code).toBe('cross_site');
    expect(crossSiteRefusal('POST', { host, 'sec-fetch-site': 'cross-site' })?.code).toBe('cross_site');
    expect(crossSiteRefusal('POST', { host, 'sec-fetch-site': 'same-site' })?.code).toBe('cross_site');
    // The same host on another port is another origin.
    expect(crossSiteRefusal('POST', { host, origin: 'http://sitescan.example:4000' })?.code).toBe('cross_site');
  });

  it('lets the instance\'s own origin, listed origins and programs without an Origin through', () => {
    expect(crossSiteRefusal('POST', { host, origin: 'http://sitescan.example:3000', 'sec-fetch-site': 'same-origin' })).toBeUndefined();
    expect(crossSiteRefusal('POST', { host, origin: 'https://sitescan.example:3000/' })).toBeUndefined();
    expect(crossSiteRefusal('POST', { host })).toBeUndefined();
    const allowed = new Set(['https://dashboard.example']);
    expect(crossSiteRefusal('POST', { host, origin: 'https://dashboard.example', 'sec-fetch-site': 'cross-site' }, allowed)).toBeUndefined();
  });
});
