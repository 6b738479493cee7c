/**
 * How each sandbox site writes its result pages, and where a connector finds the fields in them.
 * A layout pairs a renderer with the `extract` block that parses it, so the two cannot drift.
 *
 * HTML layouts: `cards` (divs), `table` (rows), `microdata` (an `<ul>` with schema.org
 * `itemprop`s), `articles` (`<article>` + `<address>`). JSON shapes: `json-results` (nested
 * location object with a formatted address), `json-listings` (`data.listings[]`, flat fields),
 * `json-array` (the root is the array; address lines as a string array, contacts as an array).
 *
 * Every value from the dataset is data: HTML escapes all of it, text and attributes alike.
 */
import type { SiteDefinitionInput } from '../sites/site-definition';
import type { SandboxListing } from './dataset';

/** Where the fields sit in an HTML page (CSS selectors; `sel@attr`; `@attr` on the item). */
export type HtmlExtract = Extract<SiteDefinitionInput, { kind: 'html' }>['extract'];
/** Where the fields sit in a JSON answer (dot paths). */
export type JsonExtract = Extract<SiteDefinitionInput, { kind: 'json' }>['extract'];

/** Everything a renderer needs for one page. */
export interface PageContext {
  readonly siteId: string;
  readonly siteName: string;
  /** Origin of the sandbox, e.g. `http://127.0.0.1:4010`; links are absolute. */
  readonly baseUrl: string;
  /** Path of the site's search, e.g. `/yasabe.com/search`. */
  readonly searchPath: string;
  /** Class-name prefix, so two sites on one layout still differ in markup. */
  readonly skin: string;
  readonly q: string;
  readonly where: string;
  readonly listings: readonly SandboxListing[];
}

interface HtmlLayout {
  readonly kind: 'html';
  render(page: PageContext): string;
  extract(skin: string): HtmlExtract;
}

interface JsonLayout {
  readonly kind: 'json';
  render(page: PageContext): string;
  extract(skin: string): JsonExtract;
}

/** A page layout: a renderer and the extract block that reads it. */
export type Layout = HtmlLayout | JsonLayout;

/** Content types the sandbox answers with. */
export const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML text and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replaceAll(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

const e = escapeHtml;

const absolute = (page: PageContext, listing: SandboxListing) => `${page.baseUrl}${listing.path}`;
const telHref = (phone: string) => `tel:+1${phone.replaceAll(/\D/g, '').slice(-10)}`;
const displayHost = (website: string) => website.replace(/^https?:\/\/(www\.)?/, '').replace(/\/$/, '');
const locality = (listing: SandboxListing) => `${listing.city}, ${listing.state} ${listing.zip}`;

function htmlPage(page: PageContext, main: string): string {
  const title = page.q ? `${page.q}${page.where ? ` near ${page.where}` : ''} - ${page.siteName}` : page.siteName;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<link rel="stylesheet" href="/${e(page.siteId)}/static/site.css">
</head>
<body>
<header class="${page.skin}-header">
<a class="${page.skin}-logo" href="${e(`${page.baseUrl}/${page.siteId}/`)}">${e(page.siteName)}</a>
<form class="${page.skin}-search" action="${e(page.baseUrl + page.searchPath)}" method="get">
<input type="search" name="q" value="${e(page.q)}" aria-label="What">
<input type="text" name="where" value="${e(page.where)}" aria-label="Where">
<button type="submit">Search</button>
</form>
<nav><a href="#">Categories</a> <a href="#">Add your business</a> <a href="#">Sign in</a></nav>
</header>
<main>
${main}
</main>
<footer class="${page.skin}-footer"><p>&copy; 2025 ${e(page.siteName)}. All rights reserved. <a href="#">Privacy</a> · <a href="#">Terms</a></p></footer>
</body>
</html>
`;
}

const resultCount = (page: PageContext, className: string) =>
  `<p class="${className}">${page.listings.length} result${page.listings.length === 1 ? '' : 's'} for &ldquo;${e(page.q)}&rdquo;${page.where ? ` near ${e(page.where)}` : ''}</p>`;

const cards: HtmlLayout = {
  kind: 'html',
  render(page) {
    const s = page.skin;
    const items = page.listings.map((listing) => {
      const url = e(absolute(page, listing));
      return `<div class="${s}-card" data-id="${e(listing.businessId)}">
<h2 class="${s}-card-title"><a href="${url}">${e(listing.name)}</a></h2>
<div class="${s}-card-body">
<p class="${s}-address"><span class="${s}-street">${e(listing.street)}</span>, <span class="${s}-locality">${e(locality(listing))}</span></p>
${listing.phone ? `<p class="${s}-phone"><a href="${e(telHref(listing.phone))}">${e(listing.phone)}</a></p>` : ''}
${listing.website ? `<a class="${s}-website" href="${e(listing.website)}" rel="nofollow noopener" target="_blank">Visit website</a>` : ''}
<a class="${s}-more" href="${url}">More info</a>
</div>
</div>`;
    });
    const body =
      items.length > 0
        ? items.join('\n')
        : `<div class="${s}-empty">No results found for &ldquo;${e(page.q)}&rdquo;. Check the spelling or try a nearby city.</div>`;
    return htmlPage(
      page,
      `<div class="${s}-results">
${resultCount(page, `${s}-count`)}
<div class="${s}-ad"><span class="${s}-ad-label">Sponsored</span><h2 class="${s}-ad-title">Own a business? Get listed on ${e(page.siteName)}</h2><a href="#">Claim your free listing</a></div>
${body}
</div>`,
    );
  },
  extract: (s) => ({
    item: `div.${s}-card`,
    name: `.${s}-card-title`,
    address: `.${s}-address`,
    phone: `.${s}-phone`,
    website: `a.${s}-website@href`,
    url: `.${s}-card-title a@href`,
  }),
};

const table: HtmlLayout = {
  kind: 'html',
  render(page) {
    const s = page.skin;
    const rows = page.listings.map((listing) => {
      const url = e(absolute(page, listing));
      return `<tr class="${s}-row" data-href="${url}">
<td class="${s}-name"><a href="${url}">${e(listing.name)}</a></td>
<td class="${s}-addr">${e(listing.street)},<br>
${e(locality(listing))}</td>
<td class="${s}-phone">${listing.phone ? e(listing.phone) : ''}</td>
<td class="${s}-web">${listing.website ? `<a href="${e(listing.website)}" rel="nofollow">${e(displayHost(listing.website))}</a>` : ''}</td>
</tr>`;
    });
    const body = rows.length > 0 ? rows.join('\n') : `<tr class="${s}-none"><td colspan="4">No matching businesses.</td></tr>`;
    return htmlPage(
      page,
      `${resultCount(page, `${s}-summary`)}
<table class="${s}-results">
<thead><tr><th>Business</th><th>Address</th><th>Phone</th><th>Website</th></tr></thead>
<tbody>
${body}
</tbody>
</table>`,
    );
  },
  extract: (s) => ({
    item: `tr.${s}-row`,
    name: `td.${s}-name`,
    address: `td.${s}-addr`,
    phone: `td.${s}-phone`,
    website: `td.${s}-web a@href`,
    url: '@data-href',
  }),
};

const microdata: HtmlLayout = {
  kind: 'html',
  render(page) {
    const s = page.skin;
    const items = page.listings.map(
      (listing) => `<li class="${s}-item" itemscope itemtype="https://schema.org/LocalBusiness">
<h3><a class="${s}-link" href="${e(absolute(page, listing))}"><span itemprop="name">${e(listing.name)}</span></a></h3>
<div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress"><span itemprop="streetAddress">${e(listing.street)}</span>, <span itemprop="addressLocality">${e(listing.city)}</span>, <span itemprop="addressRegion">${e(listing.state)}</span> <span itemprop="postalCode">${e(listing.zip)}</span></div>
${listing.phone ? `<span itemprop="telephone">${e(listing.phone)}</span>` : ''}
${listing.website ? `<a itemprop="url" href="${e(listing.website)}" rel="nofollow">${e(displayHost(listing.website))}</a>` : ''}
</li>`,
    );
    const body = items.length > 0 ? items.join('\n') : `<li class="${s}-none">No businesses match your search.</li>`;
    return htmlPage(
      page,
      `<h1>Search results</h1>
${resultCount(page, `${s}-total`)}
<ul class="${s}-list">
${body}
</ul>`,
    );
  },
  extract: (s) => ({
    item: 'li[itemtype="https://schema.org/LocalBusiness"]',
    name: '[itemprop="name"]',
    address: '[itemprop="address"]',
    phone: '[itemprop="telephone"]',
    website: 'a[itemprop="url"]@href',
    url: `a.${s}-link@href`,
  }),
};

const articles: HtmlLayout = {
  kind: 'html',
  render(page) {
    const s = page.skin;
    const items = page.listings.map(
      (listing) => `<article class="${s}-company" data-company-id="${e(listing.businessId)}">
<header><h2 class="${s}-company-name"><a href="${e(absolute(page, listing))}">${e(listing.name)}</a></h2></header>
<address class="${s}-company-address">${e(listing.street)},<br>
${e(locality(listing))}</address>
<ul class="${s}-contact">
${listing.phone ? `<li><a class="${s}-tel" href="${e(telHref(listing.phone))}">${e(listing.phone)}</a></li>` : ''}
${listing.website ? `<li><a class="${s}-www" href="${e(listing.website)}" rel="nofollow">Website</a></li>` : ''}
</ul>
</article>`,
    );
    const body = items.length > 0 ? items.join('\n') : `<p class="${s}-no-results">Your search did not match any companies.</p>`;
    return htmlPage(
      page,
      `<section id="results" class="${s}-results">
${resultCount(page, `${s}-hits`)}
${body}
</section>`,
    );
  },
  extract: (s) => ({
    item: `article.${s}-company`,
    name: `.${s}-company-name`,
    address: `address.${s}-company-address`,
    phone: `a.${s}-tel`,
    website: `a.${s}-www@href`,
    url: `.${s}-company-name a@href`,
  }),
};

const jsonResults: JsonLayout = {
  kind: 'json',
  render: (page) =>
    JSON.stringify({
      results: page.listings.map((listing) => ({
        fsq_place_id: listing.businessId,
        name: listing.name,
        location: {
          address: listing.street,
          locality: listing.city,
          region: listing.state,
          postcode: listing.zip,
          country: 'US',
          formatted_address: listing.address,
        },
        ...(listing.phone ? { tel: listing.phone } : {}),
        ...(listing.website ? { website: listing.website } : {}),
        link: absolute(page, listing),
      })),
      context: { query: page.q, near: page.where || null },
    }),
  extract: () => ({
    items: 'results',
    name: 'name',
    address: 'location.formatted_address',
    phone: 'tel',
    website: 'website',
    url: 'link',
  }),
};

const jsonListings: JsonLayout = {
  kind: 'json',
  render: (page) =>
    JSON.stringify({
      data: {
        total: page.listings.length,
        listings: page.listings.map((listing) => ({
          id: listing.businessId,
          title: listing.name,
          full_address: listing.address,
          tel: listing.phone ?? null,
          site: listing.website ?? null,
          link: absolute(page, listing),
        })),
      },
      meta: { q: page.q, where: page.where, page: 1, per_page: 10 },
    }),
  extract: () => ({
    items: 'data.listings',
    name: 'title',
    address: 'full_address',
    phone: 'tel',
    website: 'site',
    url: 'link',
  }),
};

const jsonArray: JsonLayout = {
  kind: 'json',
  render: (page) =>
    JSON.stringify(
      page.listings.map((listing) => {
        const contact = {
          ...(listing.phone ? { phone: listing.phone } : {}),
          ...(listing.website ? { website: listing.website } : {}),
        };
        return {
          id: listing.businessId,
          business_name: listing.name,
          location: {
            display_address: [listing.street, locality(listing)],
            city: listing.city,
            state: listing.state,
            zip: listing.zip,
          },
          contacts: Object.keys(contact).length > 0 ? [contact] : [],
          url: absolute(page, listing),
        };
      }),
    ),
  extract: () => ({
    items: '',
    name: 'business_name',
    address: 'location.display_address',
    phone: 'contacts.0.phone',
    website: 'contacts.0.website',
    url: 'url',
  }),
};

/** All layouts by id. */
export const LAYOUTS = {
  cards,
  table,
  microdata,
  articles,
  'json-results': jsonResults,
  'json-listings': jsonListings,
  'json-array': jsonArray,
} as const satisfies Record<string, Layout>;

/** A layout id. */
export type LayoutId = keyof typeof LAYOUTS;

/** An error answer in the site's own kind: an HTML page or a JSON error object. */
export function renderError(kind: Layout['kind'], status: number, code: string, message: string): string {
  if (kind === 'json') return JSON.stringify({ error: { code, message } });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${status} ${e(code)}</title></head>
<body><h1>${status} ${e(code)}</h1><p>${e(message)}</p></body></html>
`;
}

/** A site's home page: its name and a search form. */
export function renderHome(page: PageContext): string {
  return htmlPage(page, `<h1>Find local businesses on ${e(page.siteName)}</h1>`);
}
