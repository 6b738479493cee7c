/**
 * The scan key: which searches scanned the same business, so a result page can say what changed
 * since the last scan. Both stores index it on every search they write and look the previous
 * scan up by it (`Store.previousScan`), never by reading the history through.
 *
 *   {name: "Joe's Pizza", location: "Brooklyn, NY"}           ─┐
 *   {name: "JOES  PIZZA", location: "brooklyn ny"}            ─┼─► same key
 *   {name: "Joe’s Pizza", location: "Brooklyn NY", phone: ""} ─┘
 *   {name: "Joe's Pizza", location: "Queens, NY"}         ───► another key
 *
 * Each field of the query is put in the form its matcher compares it in:
 * - name and location: their folded words (`search-words.ts`: NFKC, lowercase, no diacritics,
 *   punctuation and spacing only separate words), so `Café Zoë` and `cafe zoe` are one business;
 *   apostrophes are dropped first, as people type them or not (`Joe’s`, `Joe's`, `Joes` → `joes`);
 * - phone: E.164 (`(512) 555-0134` and `+1 512-555-0134` are one number);
 * - website: the registrable domain (`https://www.joes.com/menu` is `joes.com`).
 * An absent field and an empty one are the same. A field that differs makes another business: a
 * scan with a phone compares the listings against more than a scan without one, so their verdicts
 * would differ for reasons that are not changes of the listings.
 *
 * The key is the SHA-256 of those forms (hex): fixed length for an index, and it tells nothing of
 * the query to whoever reads the index.
 *
 * MUST: two queries have the same key exactly when every field has the same normal form.
 */
import { createHash } from 'node:crypto';
import type { BusinessQuery } from '../../lib/types';
import { normalizePhone } from '../sites/normalize-phone';
import { normalizeWebsite } from '../sites/normalize-website';
import { searchWords } from './search-words';

/** The normal forms the key is made of, in order: name, location, phone, website. */
export function scanKeyParts(query: BusinessQuery): readonly [string, string, string, string] {
  return [
    words(query.name),
    words(query.location ?? ''),
    normalizePhone(query.phone ?? '') ?? '',
    normalizeWebsite(query.website ?? '') ?? '',
  ];
}

/** Apostrophes: ASCII, right single quotation mark, modifier letter. */
const APOSTROPHES = /['\u2019\u02bc]/g;

function words(text: string): string {
  return searchWords(text.replace(APOSTROPHES, '')).join(' ');
}

/** The scan key of a query: equal for the queries of one business (see the module comment). */
export function scanKeyOf(query: BusinessQuery): string {
  // JSON keeps the parts apart: no part can end where another begins.
  return createHash('sha256').update(JSON.stringify(scanKeyParts(query))).digest('hex');
}
