import { describe, expect, it } from 'vitest';
import { safeHref } from './safe-href';

describe('safeHref', () => {
  it('passes absolute http(s) URLs, normalised', () => {
    expect(safeHref('https://brownbook.net/business/1')).toBe('https://brownbook.net/business/1');
    expect(safeHref('HTTP://X.test')).toBe('http://x.test/');
    expect(safeHref('http://x.test/a b')).toBe('http://x.test/a%20b');
  });

  it('refuses other schemes, however they are spelled', () => {
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\nscript:alert(1)', 'data:text/html,<b>', 'vbscript:x', 'file:///etc/passwd', 'ftp://x.test/']) {
      expect(safeHref(bad)).toBeUndefined();
      expect(safeHref(bad, 'https://dir.test/search')).toBeUndefined();
    }
  });

  it('refuses what is not a URL, and anything that is not a string', () => {
    for (const bad of ['/relative', 'not a url', 'https://', '', undefined, null, 42, {}, ['https://x.test/']]) {
      expect(safeHref(bad)).toBeUndefined();
    }
  });

  it('resolves a relative link against the page it came from', () => {
    expect(safeHref('/biz/7?x=1', 'https://dir.test/search?q=a')).toBe('https://dir.test/biz/7?x=1');
    expect(safeHref('//cdn.test/a', new URL('https://dir.test/'))).toBe('https://cdn.test/a');
    expect(safeHref('https://other.test/', 'https://dir.test/')).toBe('https://other.test/');
  });
});
