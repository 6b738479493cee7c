/**
 * Site text: what a site says, as plain text sitescan can store, compare and show. Sites are
 * untrusted, so every reader of site data (the declarative extractor, the place-API adapters,
 * the matcher) goes through {@link cleanText}: text comes out bounded in length, a number as its
 * digits, and anything else (objects, null, empty strings) as absent — never as markup.
 */

/**
 * Longest site text kept, in characters; longer text is cut. Real names and addresses are far
 * shorter, and the matcher's fuzzy scores cost O(n·m) in the length of what they compare.
 */
export const MAX_SITE_TEXT_CHARS = 500;

/** Options of {@link cleanText}. */
export interface CleanTextOptions {
  /**
   * Fold every run of whitespace, line breaks included, into one space. Default true. The
   * matcher turns it off: the address parser reads a line break as the end of an address line.
   */
  readonly oneLine?: boolean;
}

/**
 * A value from site data as trimmed text of at most {@link MAX_SITE_TEXT_CHARS} characters, or
 * `undefined` when there is none. A finite number is read as text (a JSON site may give a phone
 * as a number); anything else that is not a string is absent.
 */
export function cleanText(value: unknown, { oneLine = true }: CleanTextOptions = {}): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') return undefined;
  const text = (oneLine ? value.replace(/\s+/g, ' ') : value).trim().slice(0, MAX_SITE_TEXT_CHARS);
  return text || undefined;
}
