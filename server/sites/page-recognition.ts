/**
 * What a site's answer is, before anyone reads "no listing" into it. `not_found` is a claim that
 * the site does not list the business, so it needs positive evidence: a page the definition
 * recognises as its results page or its "no results" page. A bot wall is push-back, and a page
 * that is neither is a definition that no longer fits the site.
 *
 *   answer ─▶ listings extracted? ─yes─▶ results
 *               │ no
 *               ▼
 *             definition's `blocked` marker ─▶ wall
 *             definition's `noResults` / `resultsPage` marker ─▶ no-results
 *             a common bot wall (bot-walls.ts) ─▶ wall
 *             markers declared, none present ─▶ unrecognised
 *             no markers: the expected structure ─▶ no-results
 *               html: the item selector's list container (`.results` of `.results .item`), or a
 *                     "no results" message (`No results for`, `0 businesses found` …)
 *               json: the `items` path leads to an array (empty)
 *             otherwise ─▶ unrecognised
 *
 * Worked example: a cards directory redesigns and renames `div.ysb-card` to `div.card-v2`. Its
 * page for a listed business still shows "3 results for "Blue Door Bakery"", but no element
 * matches the item selector, no marker is declared, and the page carries neither a list
 * container nor a "no results" message: `unrecognised`, so the job ends `failed` with
 * "page not recognised (layout changed?)" instead of three `not_found`s a day.
 *
 * Invariants:
 * - a page with no listing MUST NOT be `no-results` without one of the pieces of evidence above;
 * - a site's own markers outrank the common heuristics: a site whose no-results page embeds a
 *   captcha for another purpose says so with `noResults`;
 * - a page with listings is `results` whatever else it shows.
 */
import * as cheerio from 'cheerio';
import type { Listing } from '../../lib/types';
import { TransientSiteError } from '../errors';
import { recogniseWall } from './bot-walls';
import { extractHtmlFrom, extractJson, readPath } from './extract';
import type { DeclarativeSiteDefinition, HtmlPageMarker, JsonPageMarker } from './site-definition';

/** What an answer was recognised as. */
export type PageReading =
  | { readonly kind: 'results'; readonly listings: readonly Listing[]; readonly evidence: string }
  | { readonly kind: 'no-results'; readonly listings: readonly []; readonly evidence: string }
  | { readonly kind: 'wall'; readonly wall: string; readonly evidence: string }
  | { readonly kind: 'unrecognised'; readonly detail: string };

/** A "no results" message as directories word it; looked for only on pages with no listing. */
const NO_RESULTS_TEXT =
  /\b(?:no|0|zero) (?:results?|matches|matching|businesses|listings|companies|records|entries|places)\b|\bdid ?n[o']t match any\b|\bnothing (?:was )?found\b|\bcould ?n[o']t find any\b|\bwe couldn'?t find\b/i;

/** Body text read for a "no results" message; such messages sit near the top of a page. */
const NO_RESULTS_SCAN_CHARS = 100_000;

/**
 * Reads one answer of a declarative site (see the module comment). Throws `TransientSiteError`
 * for an answer that was cut off (HTML without its end, JSON that does not parse), which a retry
 * can fix.
 */
export function readPage(definition: DeclarativeSiteDefinition, text: string, pageUrl: URL): PageReading {
  return definition.kind === 'html' ? readHtmlPage(definition, text, pageUrl) : readJsonAnswer(definition, text);
}

function readHtmlPage(definition: Extract<DeclarativeSiteDefinition, { kind: 'html' }>, text: string, pageUrl: URL): PageReading {
  // HTML parsers accept a cut-off page without a word, so a truncated answer would pass as a
  // page with fewer or mangled listings ("done" with garbage). A page that opens <html> and
  // never closes it was cut off: retry it like invalid JSON.
  if (/<html[\s>]/i.test(text) && !/<\/html\s*>/i.test(text)) {
    throw new TransientSiteError(definition.id, 'page is cut off (no </html>)');
  }
  const $ = cheerio.load(text);
  const listings = extractHtmlFrom($, definition.extract, pageUrl);
  if (listings.length > 0) return { kind: 'results', listings, evidence: `${listings.length} item(s) matched` };
  const pages = definition.pages;
  const present = (markers: readonly HtmlPageMarker[] | undefined) => markers?.find((marker) => htmlMarkerPresent($, text, marker));
  const blocked = present(pages?.blocked);
  if (blocked) return { kind: 'wall', wall: 'marker', evidence: `blocked marker ${describeMarker(blocked)}` };
  const noResults = present(pages?.noResults) ?? present(pages?.resultsPage);
  if (noResults) return { kind: 'no-results', listings: [], evidence: `marker ${describeMarker(noResults)}` };
  const wall = recogniseWall(text);
  if (wall) return { kind: 'wall', ...wall };
  if (pages?.noResults || pages?.resultsPage) {
    return { kind: 'unrecognised', detail: `no item matches ${JSON.stringify(definition.extract.item)} and none of the page markers is present` };
  }
  const container = listContainer(definition.extract.item);
  if (container !== undefined && $(container).length > 0) {
    return { kind: 'no-results', listings: [], evidence: `the result list ${JSON.stringify(container)} is present and empty` };
  }
  $('script, style, noscript, template').remove();
  const message = NO_RESULTS_TEXT.exec($('body').text().slice(0, NO_RESULTS_SCAN_CHARS));
  if (message) return { kind: 'no-results', listings: [], evidence: `the page says ${JSON.stringify(message[0])}` };
  return {
    kind: 'unrecognised',
    detail: `no item matches ${JSON.stringify(definition.extract.item)}, and the page shows no result list and no "no results" message`,
  };
}

function readJsonAnswer(definition: Extract<DeclarativeSiteDefinition, { kind: 'json' }>, text: string): PageReading {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // A wall is an HTML page where JSON was expected.
    const wall = recogniseWall(text);
    if (wall) return { kind: 'wall', ...wall };
    // Usually a truncated answer, which a retry can fix.
    throw new TransientSiteError(definition.id, 'answer is not valid JSON');
  }
  const pages = definition.pages;
  const present = (markers: readonly JsonPageMarker[] | undefined) => markers?.find((marker) => jsonMarkerPresent(body, text, marker));
  const items = readPath(body, definition.extract.items);
  const listings = Array.isArray(items) ? extractJson(body, definition.extract) : [];
  if (listings.length > 0) return { kind: 'results', listings, evidence: `${listings.length} item(s) at ${JSON.stringify(definition.extract.items)}` };
  const blocked = present(pages?.blocked);
  if (blocked) return { kind: 'wall', wall: 'marker', evidence: `blocked marker ${describeMarker(blocked)}` };
  const noResults = present(pages?.noResults) ?? present(pages?.resultsPage);
  if (noResults) return { kind: 'no-results', listings: [], evidence: `marker ${describeMarker(noResults)}` };
  if (Array.isArray(items)) return { kind: 'no-results', listings: [], evidence: `${JSON.stringify(definition.extract.items || '(root)')} is an empty list` };
  return { kind: 'unrecognised', detail: `${JSON.stringify(definition.extract.items || '(root)')} does not lead to a list` };
}

function htmlMarkerPresent($: cheerio.CheerioAPI, text: string, marker: HtmlPageMarker): boolean {
  return 'selector' in marker ? $(marker.selector).length > 0 : containsText(text, marker.text);
}

function jsonMarkerPresent(body: unknown, text: string, marker: JsonPageMarker): boolean {
  return 'path' in marker ? readPath(body, marker.path) !== undefined : containsText(text, marker.text);
}

function containsText(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle.toLowerCase());
}

/** A marker as written in the definition, for the log and `site:check`. */
export function describeMarker(marker: HtmlPageMarker | JsonPageMarker): string {
  return JSON.stringify(marker);
}

/**
 * The list container of an item selector: what precedes its last top-level combinator
 * (`.results > li` → `.results`), when that part names something specific (a class, an id or an
 * attribute; `main` or `body` would be on every page).
 */
export function listContainer(itemSelector: string): string | undefined {
  if (itemSelector.includes(',')) return undefined;
  let depth = 0;
  let quote: string | undefined;
  let cut = -1;
  for (let i = 0; i < itemSelector.length; i++) {
    const char = itemSelector[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '[' || char === '(') depth++;
    else if (char === ']' || char === ')') depth--;
    else if (depth === 0 && (char === ' ' || char === '>' || char === '~' || char === '+')) cut = i;
  }
  const container = cut > 0 ? itemSelector.slice(0, cut).replace(/[\s>~+]+$/, '').trim() : '';
  return /[.#[]/.test(container) ? container : undefined;
}
