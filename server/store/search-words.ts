/**
 * History search's words: the one tokeniser both stores use for `listSearches({ q })`.
 *
 *   "Café  Ñandú, Zür" ──splitWords──► Café · Ñandú · Zür ──fold──► cafe · nandu · zur
 *                                                                         │
 *   rule: every word must be there whole, the last one only as a prefix:  cafe ∧ nandu ∧ zur…
 *
 * A word is a run of letters, digits, marks or private-use characters after NFKC, so everything
 * else — spaces, punctuation, emoji, query syntax such as `"*:()-^+` — only separates words and
 * can never break a query. Folding lowercases and removes the combining diacritics of Latin,
 * Greek and Cyrillic letters.
 *
 * Who folds: the Elasticsearch store indexes and queries folded words (`searchWords`), because
 * its distribution has no asciifolding and because it must match its in-memory buffer the same
 * way. The SQLite store sends the split words unfolded (`splitWords`): its FTS5 table's tokenizer
 * (`unicode61 remove_diacritics 2`) folds the stored text and the query alike, and folding the
 * query twice in two different ways could only make the two sides disagree.
 */

/** A history query as words under the rule: `whole` must all be there, then `prefix` begins a word. */
export interface WordsQuery {
  readonly whole: readonly string[];
  readonly prefix: string;
}

/**
 * The form words are split from: NFKC, so compatibility forms (`ﬁ`, full-width `ＰＩＺＺＡ`) and
 * composed or decomposed accents read alike. The SQLite store indexes its text in this form.
 */
export function wordsForm(text: string): string {
  return text.normalize('NFKC');
}

/** The words of `text` as written (in `wordsForm`, not folded); empty when it has none. */
export function splitWords(text: string): string[] {
  return wordsForm(text).match(/[\p{L}\p{N}\p{M}\p{Co}]+/gu) ?? [];
}

/**
 * The folded words of `text`: split as `splitWords`, lowercased, with the combining diacritics of
 * Latin, Greek and Cyrillic removed (as FTS5 `remove_diacritics 2`).
 */
export function searchWords(text: string): string[] {
  return splitWords(text)
    .map((word) => word.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC'))
    .filter((word) => word !== '');
}

/** The rule applied to `words`: all of them whole but the last, which is a prefix. Undefined for none. */
export function wordsQuery(words: readonly string[]): WordsQuery | undefined {
  const prefix = words.at(-1);
  return prefix === undefined ? undefined : { whole: words.slice(0, -1), prefix };
}

/** Whether a text's `words` satisfy `query` (both sides in the same form, e.g. both folded). */
export function matchesWordsQuery(query: WordsQuery, words: readonly string[]): boolean {
  return query.whole.every((word) => words.includes(word)) && words.some((word) => word.startsWith(query.prefix));
}
