import { describe, expect, it } from 'vitest';
import { matchesWordsQuery, searchWords, splitWords, wordsForm, wordsQuery } from './search-words';

describe('search words', () => {
  describe('splitWords', () => {
    it('splits on everything but letters, digits and marks, after NFKC, keeping case and accents', () => {
      expect(splitWords("Café Ñandú — ﬁne ＰＩＺＺＡ, Joe's")).toStrictEqual(['Café', 'Ñandú', 'fine', 'PIZZA', 'Joe', 's']);
      expect(splitWords('  pizza   brooklyn  ')).toStrictEqual(['pizza', 'brooklyn']);
    });

    it('has no words for symbols, emoji and query syntax', () => {
      for (const text of ['', '   ', '🍕', '"*:()-^+']) expect(splitWords(text), JSON.stringify(text)).toStrictEqual([]);
    });

    it('reads composed and decomposed accents alike', () => {
      expect(splitWords('Cafe\u0301')).toStrictEqual(splitWords('Caf\u00e9'));
      expect(wordsForm('Cafe\u0301')).toBe('Caf\u00e9');
    });
  });

  describe('searchWords', () => {
    it('folds case, compatibility forms and Latin diacritics, and keeps other scripts whole', () => {
      expect(searchWords("Café Ñandú — ﬁne ＰＩＺＺＡ, Joe's")).toStrictEqual(['cafe', 'nandu', 'fine', 'pizza', 'joe', 's']);
      expect(searchWords('مطعم الشام 東京ラーメン')).toStrictEqual(['مطعم', 'الشام', '東京ラーメン']);
      expect(searchWords('🍕 "*:()-^+')).toStrictEqual([]);
    });

    it('drops a word made only of combining marks', () => {
      expect(searchWords('\u0301 pizza')).toStrictEqual(['pizza']);
    });
  });

  describe('the rule: every word whole, the last one as a prefix', () => {
    it('has no query for no words', () => {
      expect(wordsQuery([])).toBeUndefined();
    });

    it('makes the last word the prefix', () => {
      expect(wordsQuery(['blue', 'bott'])).toStrictEqual({ whole: ['blue'], prefix: 'bott' });
    });

    it('requires every whole word and a word beginning with the prefix', () => {
      const own = searchWords("Joe's Pizza Brooklyn, NY 11201");
      const matches = (q: string) => matchesWordsQuery(wordsQuery(searchWords(q))!, own);

      expect(matches('pizza bro')).toBe(true);
      expect(matches('PIZ')).toBe(true);
      expect(matches('11201 joe')).toBe(true);
      expect(matches('piz brooklyn')).toBe(false);
      expect(matches('pizzas')).toBe(false);
      expect(matches('pizza dallas')).toBe(false);
    });
  });
});
