/**
 * How each sandbox site writes its result pages, and where a connector finds the fields in them.
 * A layout pairs a renderer with the `extract` block that parses it, so the two cannot drift.
 *
 * HTML layouts: `cards` (divs), `table` (rows), `microdata` (an `<ul>` with schema.org
 * `itemprop`s), `articles` (`<article>` + `<address>`), `json-ld` (`<section>`s with a `<dl>`
 * of details, and the same results as a schema.org `ItemList` of `LocalBusiness` in a
 * `<script type="application/ld+json">`: `@id` the listing page, `url` the business's website or,
 * without one, the listing page), `paginated` (an `<ol>` of the first
 * {@link PAGE_SIZE} results and a pager, see below), `data-attributes` (every field in a
 * `data-*` attribute of the result element), `legacy` (one nested `<table>` per result, no
 * classes inside it, `<font>` and `<b>` as in 2003).
 *
 * JSON shapes: `json-results` (nested location object with a formatted address),
 * `json-listings` (`data.listings[]`, flat fields), `json-array` (the root is the array; address
 * lines as a string array, contacts as an array), `json-hal` (`_embedded.businesses[]`, phones
 * as an array of objects, links under `_links`), `json-geojson` (a FeatureCollection; fields in
 * `properties`, address lines as a string array), `json-solr` (`response.docs[]` with Solr's
 * typed field names, phones as a multi-valued `phone_ss`).
 *
 * Pagination (`paginated`): page `n` (query parameter `page`, default 1) shows results
 * (n-1)·5+1 … n·5 of at most 25, in the search's relevance order (exact name first), inside
 * `<ol class="{skin}-results">`; below it
 * `<nav class="{skin}-pager" aria-label="Pagination">` holds `<a rel="prev">` / `<a rel="next">`
 * links (absolute URLs with the same `q` and `where` and `page=n±1`) and
 * `<span aria-current="page">n</span>`; "Showing a–b of N results" sits in `p.{skin}-range`.
 * A precise query (the exact name and its city) puts the business on page 1, so a connector that
 * reads one page finds it.
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
  /** Everything the search found, best first; a paginated layout shows one page of it. */
  readonly listings: readonly SandboxListing[];
  /** Page asked for (paginated layouts). Default 1. */
  readonly page?: number;
}

/** Results per page of the `paginated` layout. */
export const PAGE_SIZE = 5;
/** Results a paginated site finds at most (five pages). */
export const PAGINATED_MAX_RESULTS = 25;

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

const jsonLd: HtmlLayout = {
  kind: 'html',
  render(page) {
    const s = page.skin;
    const sections = page.listings.map((listing) => {
      const url = e(absolute(page, listing));
      return `<section class="${s}-listing" id="${e(listing.businessId)}">
<h2 class="${s}-name"><a href="${url}">${e(listing.name)}</a></h2>
<dl class="${s}-details">
<dt>Address</dt><dd class="${s}-address">${e(listing.street)},
${e(locality(listing))}</dd>
${listing.phone ? `<dt>Phone</dt><dd class="${s}-phone">${e(listing.phone)}</dd>` : ''}
${listing.website ? `<dt>Website</dt><dd class="${s}-website"><a href="${e(listing.website)}" rel="nofollow">${e(displayHost(listing.website))}</a></dd>` : ''}
</dl>
</section>`;
    });
    const itemList = {
      '@context': 'https://schema.org',
      '@type': 'ItemList',
      numberOfItems: page.listings.length,
      itemListElement: page.listings.map((listing, i) => ({
        '@type': 'ListItem',
        position: i + 1,
        item: {
          '@type': 'LocalBusiness',
          '@id': absolute(page, listing),
          name: listing.name,
          address: {
            '@type': 'PostalAddress',
            streetAddress: listing.street,
            addressLocality: listing.city,
            addressRegion: listing.state,
            postalCode: listing.zip,
            addressCountry: 'US',
          },
          ...(listing.phone ? { telephone: listing.phone } : {}),
          // `url` is the business's own site when it has one (schema.org's reading), else the
          // listing page; `@id` is always the listing page.
          url: listing.website ?? absolute(page, listing),
        },
      })),
    };
    const body = sections.length > 0 ? sections.join('\n') : `<p class="${s}-empty">We couldn&#39;t find any businesses matching your search.</p>`;
    return htmlPage(
      page,
      `<script type="application/ld+json">${jsonForScript(itemList)}</script>
<div class="${s}-results">
${resultCount(page, `${s}-count`)}
${body}
</div>`,
    );
  },
  extract: (s) => ({
    item: `section.${s}-listing`,
    name: `h2.${s}-name`,
    address: `dd.${s}-address`,
    phone: `dd.${s}-phone`,
    website: `dd.${s}-website a@href`,
    url: `h2.${s}-name a@href`,
  }),
};

const paginated: HtmlLayout = {
  kind: 'html',
  render(page) {
    const s = page.skin;
    const total = page.listings.length;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const current = Math.min(Math.max(1, page.page ?? 1), pages);
    const first = (current - 1) * PAGE_SIZE;
    const shown = page.listings.slice(first, first + PAGE_SIZE);
    const pageUrl = (n: number) => {
      const params = new URLSearchParams({ q: page.q, where: page.where, page: String(n) });
      return e(`${page.baseUrl}${page.searchPath}?${params}`);
    };
    const items = shown.map((listing, i) => {
      const url = e(absolute(page, listing));
      return `<li class="${s}-result" value="${first + i + 1}">
<a class="${s}-title" href="${url}">${e(listing.name)}</a>
<div class="${s}-where">${e(listing.street)}, ${e(locality(listing))}</div>
${listing.phone ? `<div class="${s}-call">Call: <span class="${s}-number">${e(listing.phone)}</span></div>` : ''}
${listing.website ? `<a class="${s}-site" href="${e(listing.website)}" rel="nofollow">${e(displayHost(listing.website))}</a>` : ''}
</li>`;
    });
    const range =
      total === 0
        ? `<p class="${s}-range">No results for &ldquo;${e(page.q)}&rdquo;.</p>`
        : `<p class="${s}-range">Showing ${first + 1}&ndash;${first + shown.length} of ${total} results</p>`;
    const pager =
      pages > 1
        ? `<nav class="${s}-pager" aria-label="Pagination">
${current > 1 ? `<a rel="prev" href="${pageUrl(current - 1)}">&lsaquo; Previous</a>` : ''}
${Array.from({ length: pages }, (_, i) => (i + 1 === current ? `<span aria-current="page">${i + 1}</span>` : `<a href="${pageUrl(i + 1)}">${i + 1}</a>`)).join(' ')}
${current < pages ? `<a rel="next" href="${pageUrl(current + 1)}">Next &rsaquo;</a>` : ''}
</nav>`
        : '';
    return htmlPage(
      page,
      `${range}
<ol class="${s}-results">
${items.join('\n')}
</ol>
${pager}`,
    );
  },
  extract: (s) => ({
    item: `li.${s}-result`,
    name: `a.${s}-title`,
    address: `div.${s}-where`,
    phone: `span.${s}-number`,
    website: `a.${s}-site@href`,
    url: `a.${s}-title@href`,
  }),
};

const dataAttributes: HtmlLayout = {
  kind: 'html',
  render(page) {
    const s = page.skin;
    const attr = (name: string, value: string | undefined) => (value ? ` data-${name}="${e(value)}"` : '');
    const hits = page.listings.map((listing) => {
      const url = absolute(page, listing);
      return `<div class="${s}-hit" data-id="${e(listing.businessId)}"${attr('name', listing.name)}${attr('address', listing.address)}${attr('phone', listing.phone)}${attr('website', listing.website)}${attr('url', url)}>
<span class="${s}-hit-title">${e(listing.name)}</span>
<span class="${s}-hit-meta">${e(listing.city)}, ${e(listing.state)}</span>
<button type="button" class="${s}-hit-open">View details</button>
</div>`;
    });
    const body = hits.length > 0 ? hits.join('\n') : `<div class="${s}-nohits">0 businesses found.</div>`;
    return htmlPage(
      page,
      `<div class="${s}-hits" data-query="${e(page.q)}">
${resultCount(page, `${s}-found`)}
${body}
</div>`,
    );
  },
  extract: () => ({
    item: '[data-name][data-url]',
    name: '@data-name',
    address: '@data-address',
    phone: '@data-phone',
    website: '@data-website',
    url: '@data-url',
  }),
};

const legacy: HtmlLayout = {
  kind: 'html',
  render(page) {
    const s = page.skin;
    const tables = page.listings.map(
      (listing) => `<table class="${s}-listing" width="100%" border="0" cellpadding="3" cellspacing="0">
<tr><td colspan="2" bgcolor="#eeeeee"><font size="+1"><b><a href="${e(absolute(page, listing))}">${e(listing.name)}</a></b></font></td></tr>
<tr><td valign="top" width="60%">${e(listing.street)},<br>
${e(locality(listing))}</td><td valign="top" align="right">${listing.phone ? `<font color="#006600">${e(listing.phone)}</font><br>` : ''}
${listing.website ? `<a href="${e(listing.website)}" target="_blank">${e(displayHost(listing.website))}</a>` : '&nbsp;'}</td></tr>
</table>`,
    );
    const body = tables.length > 0 ? tables.join('\n<br>\n') : `<font color="red">Sorry, no listings found.</font>`;
    return htmlPage(
      page,
      `<center><font face="Arial" size="2">${resultCount(page, `${s}-matches`)}</font></center>
${body}`,
    );
  },
  extract: (s) => ({
    item: `table.${s}-listing`,
    name: 'tr:first-child b',
    address: 'tr:nth-child(2) > td:first-child',
    phone: 'tr:nth-child(2) > td:nth-child(2) font',
    website: 'tr:nth-child(2) > td:nth-child(2) a@href',
    url: 'tr:first-child a@href',
  }),
};

const jsonHal: JsonLayout = {
  kind: 'json',
  render: (page) =>
    JSON.stringify({
      _links: { self: { href: `${page.baseUrl}${page.searchPath}?${new URLSearchParams({ q: page.q, where: page.where })}` } },
      count: page.listings.length,
      _embedded: {
        businesses: page.listings.map((listing) => ({
          id: listing.businessId,
          name: listing.name,
          address: {
            line1: listing.street,
            locality: listing.city,
            region: listing.state,
            postalCode: listing.zip,
            formatted: listing.address,
          },
          contact: {
            phones: listing.phone ? [{ type: 'main', number: listing.phone }] : [],
            web: listing.website ?? null,
          },
          _links: { self: { href: absolute(page, listing) } },
        })),
      },
    }),
  extract: () => ({
    items: '_embedded.businesses',
    name: 'name',
    address: 'address.formatted',
    phone: 'contact.phones.0.number',
    website: 'contact.web',
    url: '_links.self.href',
  }),
};

const jsonGeoJson: JsonLayout = {
  kind: 'json',
  render: (page) =>
    JSON.stringify({
      type: 'FeatureCollection',
      features: page.listings.map((listing) => ({
        type: 'Feature',
        id: listing.businessId,
        geometry: null,
        properties: {
          title: listing.name,
          address: { lines: [listing.street, locality(listing)] },
          ...(listing.phone ? { phone: listing.phone } : {}),
          homepage: listing.website ?? '',
          permalink: absolute(page, listing),
        },
      })),
      query: { text: page.q, where: page.where },
    }),
  extract: () => ({
    items: 'features',
    name: 'properties.title',
    address: 'properties.address.lines',
    phone: 'properties.phone',
    website: 'properties.homepage',
    url: 'properties.permalink',
  }),
};

const jsonSolr: JsonLayout = {
  kind: 'json',
  render: (page) =>
    JSON.stringify({
      responseHeader: { status: 0, QTime: 3 + (page.listings.length % 7), params: { q: page.q, fq: page.where, rows: '10', wt: 'json' } },
      response: {
        numFound: page.listings.length,
        start: 0,
        docs: page.listings.map((listing) => ({
          id: listing.businessId,
          name_s: listing.name,
          street_s: listing.street,
          city_s: listing.city,
          state_s: listing.state,
          zip_s: listing.zip,
          address_t: listing.address,
          phone_ss: listing.phone ? [listing.phone] : [],
          ...(listing.website ? { website_s: listing.website } : {}),
          url_s: absolute(page, listing),
        })),
      },
    }),
  extract: () => ({
    items: 'response.docs',
    name: 'name_s',
    address: 'address_t',
    phone: 'phone_ss.0',
    website: 'website_s',
    url: 'url_s',
  }),
};

/** JSON inside `<script>`: `<` escaped so no value can close the element or open a comment. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

/** All layouts by id. */
export const LAYOUTS = {
  cards,
  table,
  microdata,
  articles,
  'json-results': jsonResults,
  'json-listings': jsonListings,
  'json-array': jsonArray,
  'json-ld': jsonLd,
  paginated,
  'data-attributes': dataAttributes,
  legacy,
  'json-hal': jsonHal,
  'json-geojson': jsonGeoJson,
  'json-solr': jsonSolr,
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

/**
 * The page a `captcha` site answers instead of its results when a client breaks its limits: a
 * 200 with no results. Markers: `<title>Security check …`, `#captcha[data-captcha="required"]`,
 * `.g-recaptcha`.
 */
export function renderCaptcha(page: PageContext): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex, nofollow">
<title>Security check - ${e(page.siteName)}</title>
</head>
<body>
<main>
<div id="captcha" class="captcha-challenge" data-captcha="required">
<h1>Please verify you are a human</h1>
<p>We have received an unusual number of requests from your network. Complete the challenge below to continue to ${e(page.siteName)}.</p>
<form method="post" action="${e(`${page.baseUrl}/${page.siteId}/captcha`)}">
<div class="g-recaptcha" data-sitekey="sandbox-not-a-real-key"></div>
<input type="hidden" name="return" value="${e(page.q)}">
<button type="submit">Continue</button>
</form>
</div>
</main>
</body>
</html>
`;
}

/** The 403 page of a site's firewall while it blocks a client. */
export function renderBlocked(kind: Layout['kind'], siteName: string, retryInMs: number): string {
  const minutes = Math.max(1, Math.ceil(retryInMs / 60_000));
  const message = `Access to ${siteName} has been temporarily blocked because of too many requests. Try again in about ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  if (kind === 'json') return JSON.stringify({ error: { code: 'forbidden', message } });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>403 Access denied</title></head>
<body><h1>Access denied</h1><p>${e(message)}</p></body></html>
`;
}
