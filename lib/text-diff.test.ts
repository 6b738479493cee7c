import { describe, expect, it } from 'vitest';
import { diffWords, type DiffSegment } from './text-diff';

/** A side written with [brackets] around what differs. */
const show = (segments: readonly DiffSegment[]) => segments.map((segment) => (segment.differs ? `[${segment.text}]` : segment.text)).join('');

describe('diffWords', () => {
  it('marks the words not common to both sides (the module example)', () => {
    const diff = diffWords('12 Main St, Suite 200', '12 Main Street');
    expect(show(diff.expected)).toBe('12 Main [St, Suite 200]');
    expect(show(diff.found)).toBe('12 Main [Street]');
  });

  it('compares words without case or accents, and marks a separator only between marked words', () => {
    const diff = diffWords('Café Zoë', 'CAFE zoe');
    expect(diff.expected).toStrictEqual([{ text: 'Café Zoë', differs: false }]);
    expect(show(diffWords('(512) 555-0134', '512.555.0199').found)).toBe('512.555.[0199]');
    expect(show(diffWords('+1 512 555 0199', '(612) 264-5217').found)).toBe('([612) 264-5217]');
  });

  it('keeps each side whole, with empty and unrelated texts', () => {
    for (const [a, b] of [['', 'Joe'], ['Joe', ''], ['Joe’s Pizza', 'Pizza Hut'], ['東京 タワー', '東京']] as const) {
      const diff = diffWords(a, b);
      expect(diff.expected.map((segment) => segment.text).join('')).toBe(a);
      expect(diff.found.map((segment) => segment.text).join('')).toBe(b);
    }
    expect(show(diffWords('Joe’s Pizza', 'Pizza Hut').found)).toBe('Pizza [Hut]');
  });

  it('marks a whole side past the word bound rather than diffing it', () => {
    const long = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    expect(diffWords(long, 'w1').found).toStrictEqual([{ text: 'w1', differs: true }]);
  });
});
