/**
 * Test helper: a minimal reader of site-definition `extract` blocks, written from the semantics
 * the connector implements, so sandbox tests prove that the sandbox's definitions parse its pages.
 *
 * HTML: `item` selects each result; a field is a selector relative to the item whose first
 * match's text is taken (whitespace collapsed, trimmed), `sel@attr` an attribute of that match,
 * `@attr` an attribute of the item itself. JSON: `items` is a dot path to the array (`""` = the
 * root), fields are dot paths in an item; numeric segments index arrays; an array of strings at
 * the end of a path is joined with ", ". Empty values read as absent.
 */
import * as cheerio from 'cheerio';
import type { HtmlExtract, JsonExtract } from '../layouts';

/** One result as read from a page. */
export interface ReadListing {
  readonly name?: string;
  readonly address?: string;
  readonly phone?: string;
  readonly website?: string;
  readonly url?: string;
}

const FIELDS = ['name', 'address', 'phone', 'website', 'url'] as const;

const clean = (value: string | undefined): string | undefined => {
  const text = value?.replaceAll(/\s+/g, ' ').trim();
  return text ? text : undefined;
};

/** Reads every result of an HTML page. */
export function readHtml(html: string, extract: HtmlExtract): ReadListing[] {
  const $ = cheerio.load(html);
  return $(extract.item)
    .toArray()
    .map((element) => {
      const item = $(element);
      const read = (selector: string | undefined): string | undefined => {
        if (selector === undefined) return undefined;
        if (selector.startsWith('@')) return clean(item.attr(selector.slice(1)));
        const [, css = selector, attribute] = /^(.*?)(?:@([\w:-]+))?$/.exec(selector) ?? [];
        const match = item.find(css).first();
        if (match.length === 0) return undefined;
        return clean(attribute ? match.attr(attribute) : match.text());
      };
      return Object.fromEntries(FIELDS.map((field) => [field, read(extract[field])] as const).filter(([, value]) => value !== undefined));
    });
}

/** Follows a dot path; undefined when it leads nowhere. */
export function followPath(root: unknown, path: string): unknown {
  if (path === '') return root;
  let value: unknown = root;
  for (const segment of path.split('.')) {
    if (Array.isArray(value) && /^\d+$/.test(segment)) value = value[Number(segment)];
    else if (value !== null && typeof value === 'object') value = (value as Record<string, unknown>)[segment];
    else return undefined;
  }
  return value;
}

/** Reads every result of a JSON answer (already parsed). */
export function readJson(body: unknown, extract: JsonExtract): ReadListing[] {
  const items = followPath(body, extract.items);
  if (!Array.isArray(items)) throw new Error(`items path ${JSON.stringify(extract.items)} is not an array`);
  return items.map((item) => {
    const read = (path: string | undefined): string | undefined => {
      if (path === undefined) return undefined;
      const value = followPath(item, path);
      if (Array.isArray(value) && value.every((part) => typeof part === 'string')) return clean(value.join(', '));
      return typeof value === 'string' ? clean(value) : undefined;
    };
    return Object.fromEntries(FIELDS.map((field) => [field, read(extract[field])] as const).filter(([, value]) => value !== undefined));
  });
}
