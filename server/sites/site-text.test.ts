import { describe, expect, it } from 'vitest';
import { cleanText, MAX_SITE_TEXT_CHARS } from './site-text';

describe('cleanText', () => {
  it('folds whitespace, line breaks included, into one trimmed line', () => {
    expect(cleanText('  Blue   Door\n\tBakery\u00a0 ')).toBe('Blue Door Bakery');
  });

  it('keeps line breaks and inner runs of spaces when asked, still trimmed', () => {
    expect(cleanText('  1200 Main St\nAustin,  TX \n', { oneLine: false })).toBe('1200 Main St\nAustin,  TX');
  });

  it('cuts text longer than the cap, after trimming', () => {
    const long = ` ${'x'.repeat(MAX_SITE_TEXT_CHARS + 50)}`;
    expect(cleanText(long)).toBe('x'.repeat(MAX_SITE_TEXT_CHARS));
    expect(cleanText(long, { oneLine: false })).toBe('x'.repeat(MAX_SITE_TEXT_CHARS));
  });

  it('reads finite numbers as text and everything else that is not a string as absent', () => {
    expect(cleanText(5125550134)).toBe('5125550134');
    for (const absent of [Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, {}, ['a'], '', ' \n ']) {
      expect(cleanText(absent)).toBeUndefined();
    }
  });

  it('leaves markup as the text it is', () => {
    expect(cleanText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
  });
});
