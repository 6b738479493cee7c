/**
 * A site definition is data: which URL to ask, how fast it may be asked, and where the listing's
 * fields sit in the answer. The built-in list and a user's `SITES_FILE` share this schema.
 */
import { load } from 'cheerio';
import { z } from 'zod';
import { siteIdSchema } from '../../lib/schemas';

/** Query fields that may appear as `{placeholder}` in a search URL. */
export const URL_PLACEHOLDERS = ['name', 'location', 'phone', 'website'] as const;
/** A query field that may appear as `{placeholder}` in a search URL. */
export type UrlPlaceholder = (typeof URL_PLACEHOLDERS)[number];

/** Whether `name` is one of the {@link URL_PLACEHOLDERS}. */
export function isUrlPlaceholder(name: string): name is UrlPlaceholder {
  return (URL_PLACEHOLDERS as readonly string[]).includes(name);
}

/** A search URL template with each `{placeholder}` replaced by `fill(placeholder)`, known or not. */
export function fillPlaceholders(template: string, fill: (placeholder: string) => string): string {
  return template.replaceAll(/\{(\w+)\}/g, (_, placeholder: string) => fill(placeholder));
}

/**
 * How fast a site may be asked: `{concurrency, requests, perMs}`. The one schema for a site
 * file's `limits` and for an adapter's `<KIND>_LIMITS` variable.
 */
export const siteLimitsSchema = z.strictObject({
  /** Requests in flight at once. 1–100. */
  concurrency: z.number().int().min(1).max(100),
  /** Requests allowed per `perMs` sliding window. 1–10,000. */
  requests: z.number().int().min(1).max(10_000),
  /** Window length in ms. 1 ms – 1 day. */
  perMs: z.number().int().min(1).max(86_400_000),
});

const searchUrlSchema = z
  .string()
  .superRefine((value, ctx) => {
    const unknown: string[] = [];
    // Placeholders are not valid in every URL position until filled; try with them filled.
    const filled = fillPlaceholders(value, (placeholder) => {
      if (!isUrlPlaceholder(placeholder)) unknown.push(placeholder);
      return 'x';
    });
    let url: URL;
    try {
      url = new URL(filled);
    } catch {
      ctx.addIssue({ code: 'custom', message: `not an absolute URL: ${JSON.stringify(value)}` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `must be http or https, got ${url.protocol}` });
    }
    const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(value)?.[1] ?? '';
    if (authority.includes('{')) {
      ctx.addIssue({ code: 'custom', message: 'the host must be fixed, never a placeholder' });
    }
    for (const placeholder of unknown) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder {${placeholder}}; expected one of ${URL_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      });
    }
  });

/** Where the fields of a listing are found in an HTML page: CSS selectors, `sel@attr` for an attribute. */
const htmlExtractSchema = z.strictObject({
  item: z.string().min(1),
  name: z.string().min(1),
  address: z.string().min(1).optional(),
  phone: z.string().min(1).optional(),
  website: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  /**
   * Read the page's JSON-LD first: each schema.org LocalBusiness (or subtype) in a
   * `<script type="application/ld+json">` block is a listing; the selectors above apply only to
   * pages without one. Default false.
   */
  jsonLd: z.boolean().optional(),
});

/** Where the fields of a listing are found in a JSON answer: dot paths. */
const jsonExtractSchema = z.strictObject({
  items: z.string(),
  name: z.string().min(1),
  address: z.string().min(1).optional(),
  phone: z.string().min(1).optional(),
  website: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
});

/** An empty document, to check CSS selectors once at load rather than on the first page. */
const emptyDocument = load('');

const cssSelectorSchema = z
  .string()
  .min(1)
  .max(300)
  .superRefine((selector, ctx) => {
    try {
      emptyDocument(selector);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a valid CSS selector: ${JSON.stringify(selector)} (${error instanceof Error ? error.message : String(error)})` });
    }
  });

/** Text looked for in a page, case-insensitive. 1–200 characters. */
const markerTextSchema = z.string().trim().min(1).max(200);

/**
 * One marker of an HTML page: present when an element matches `selector`, or when the page's
 * text contains `text` (case-insensitive). Exactly one of the two.
 */
const htmlMarkerSchema = z.union([z.strictObject({ selector: cssSelectorSchema }), z.strictObject({ text: markerTextSchema })], {
  error: 'a marker is {"selector": "<css>"} or {"text": "<words on the page>"}',
});

/**
 * One marker of a JSON answer: present when the dot `path` leads to a value (not undefined), or
 * when the raw answer contains `text` (case-insensitive). Exactly one of the two.
 */
const jsonMarkerSchema = z.union([z.strictObject({ path: z.string().min(1).max(300) }), z.strictObject({ text: markerTextSchema })], {
  error: 'a marker is {"path": "<dot.path>"} or {"text": "<words in the answer>"}',
});

/**
 * How to recognise the site's pages, so that "no listing" rests on evidence (see
 * `page-recognition.ts`). Optional; each list is "any marker present". Without `resultsPage` and
 * `noResults`, a page with no listing is checked for the structure the definition expects.
 */
function pagesSchema<M extends z.ZodType>(marker: M) {
  const markers = z.array(marker).min(1).max(20).optional();
  return z
    .strictObject({
      /** The site's results page, even when it lists nothing. */
      resultsPage: markers,
      /** The site's "no results" page (or message). */
      noResults: markers,
      /** The site's own bot wall or block page, beyond the common ones recognised anyway. */
      blocked: markers,
    })
    .optional();
}

/** A marker of an HTML page. */
export type HtmlPageMarker = z.output<typeof htmlMarkerSchema>;
/** A marker of a JSON answer. */
export type JsonPageMarker = z.output<typeof jsonMarkerSchema>;

const common = {
  id: siteIdSchema,
  name: z.string().min(1).max(100),
  search: z.strictObject({ url: searchUrlSchema }),
  limits: siteLimitsSchema,
  /**
   * Longest an attempt may take. Default 4000 ms; 100 ms – 60 s. Once the site's latency model
   * has enough answers, attempts get less (twice its p99, at least 1 s), never more.
   */
  timeoutMs: z.number().int().min(100).max(60_000).default(4000),
  /** Retries after the first attempt. Default 2; 0–10. */
  retries: z.number().int().min(0).max(10).default(2),
  /** Served by the sandbox network: labelled so in the UI. */
  sandbox: z.boolean().default(false),
  /**
   * Whether a request slower than the site's usual p95 may get a second copy (a hedge), sent
   * within the same limits. Default true; false for a site whose terms bill or forbid extra
   * requests (the place-API adapters set it from their terms).
   */
  hedge: z.boolean().default(true),
  /**
   * How long an answer may be reused for the same query, in ms. Default 5 minutes; 0 turns
   * caching off (for APIs whose terms forbid it). At most a day.
   */
  cacheTtlMs: z.number().int().min(0).max(86_400_000).default(300_000),
};

/** Code adapters for public place APIs (`server/sites/adapters/`), by `kind`. */
export const ADAPTER_KINDS = [
  'nominatim',
  'overpass',
  'foursquare-places',
  'yelp',
  'google-places',
  'here',
  'tomtom',
  'mapbox',
] as const;
export type AdapterKind = (typeof ADAPTER_KINDS)[number];

/** Schema of one site definition. */
export const siteDefinitionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...common, kind: z.literal('html'), extract: htmlExtractSchema, pages: pagesSchema(htmlMarkerSchema) }),
  z.strictObject({ ...common, kind: z.literal('json'), extract: jsonExtractSchema, pages: pagesSchema(jsonMarkerSchema) }),
  // An adapter's `search.url` is its API's base URL; the adapter builds requests in code.
  z.strictObject({ ...common, kind: z.enum(ADAPTER_KINDS) }),
]);

/** Schema of a `SITES_FILE`: an array of site definitions with unique ids. */
export const siteDefinitionListSchema = z.array(siteDefinitionSchema).superRefine((sites, ctx) => {
  const seen = new Set<string>();
  sites.forEach((site, index) => {
    if (seen.has(site.id)) {
      ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate site id ${site.id}` });
    }
    seen.add(site.id);
  });
});

/** A validated site definition (defaults applied). */
export type SiteDefinition = z.output<typeof siteDefinitionSchema>;
/** A site definition as written in a file (defaults optional). */
export type SiteDefinitionInput = z.input<typeof siteDefinitionSchema>;
/** A declarative site: searched by the generic HTTP connector. */
export type DeclarativeSiteDefinition = Extract<SiteDefinition, { kind: 'html' | 'json' }>;
/** A declarative site definition as written (defaults optional). */
export type DeclarativeSiteDefinitionInput = Extract<SiteDefinitionInput, { kind: 'html' | 'json' }>;
/** A site searched by a code adapter. */
export type AdapterSiteDefinition = Extract<SiteDefinition, { kind: AdapterKind }>;
/** A site's limits. */
export type SiteLimits = z.output<typeof siteLimitsSchema>;
