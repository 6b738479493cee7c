import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { extractHtml, extractJson } from '../sites/extract';
import type { SandboxListing } from './dataset';
import { LAYOUTS, PAGE_SIZE, escapeHtml, renderBlocked, renderCaptcha, renderError, type LayoutId, type PageContext } from './layouts';
import { readHtml, readJson, type ReadListing } from './testing/read-extract';

const hostile: SandboxListing = {
  siteId: 'test.site',
  businessId: 'b000001',
  name: `Tom's <b>Diner</b> & "Grill"`,
  street: '12 <i>Elm</i> St Ste 4',
  city: 'Austin',
  state: 'TX',
  zip: '78701',
  address: '12 <i>Elm</i> St Ste 4, Austin, TX 78701',
  phone: '(512) 871-2345',
  website: 'https://www.toms.example/?a=1&b="2"',
  path: '/test.site/biz/toms-diner-b000001',
  variations: [],
};

const bare: SandboxListing = {
  ...hostile,
  businessId: 'b000002',
  name: 'Bare Bones Bakery',
  street: '5 Oak Ave',
  address: '5 Oak Ave, Austin, TX 78701',
  path: '/test.site/biz/bare-bones-bakery-b000002',
  phone: undefined,
  website: undefined,
};

const page = (listings: readonly SandboxListing[], q = 'Tom\'s <script>alert(1)</script>'): PageContext => ({
  siteId: 'test.site',
  siteName: 'Test <Site>',
  baseUrl: 'http://127.0.0.1:4010',
  searchPath: '/test.site/search',
  skin: 'tst',
  q,
  where: 'Austin, TX',
  listings,
});

const read = (id: LayoutId, listings: readonly SandboxListing[]): ReadListing[] => {
  const layout = LAYOUTS[id];
  const body = layout.render(page(listings));
  return layout.kind === 'html' ? readHtml(body, layout.extract('tst')) : readJson(JSON.parse(body), layout.extract('tst'));
};

/** The same page read by sitescan's own connector code (server/sites/extract.ts). */
const readWithConnector = (id: LayoutId, listings: readonly SandboxListing[]): ReadListing[] => {
  const layout = LAYOUTS[id];
  const body = layout.render(page(listings));
  return layout.kind === 'html' ? extractHtml(body, layout.extract('tst')) : extractJson(JSON.parse(body), layout.extract('tst'));
};

const expected = (listing: SandboxListing): ReadListing => ({
  name: listing.name,
  address: listing.address,
  ...(listing.phone ? { phone: listing.phone } : {}),
  ...(listing.website ? { website: listing.website } : {}),
  url: `http://127.0.0.1:4010${listing.path}`,
});

const layoutIds = Object.keys(LAYOUTS) as LayoutId[];

describe('layouts', () => {
  it('offers at least five HTML layouts (tables, cards, microdata, JSON-LD, paginated …) and several JSON shapes', () => {
    const html = layoutIds.filter((id) => LAYOUTS[id].kind === 'html');
    expect(html.length).toBeGreaterThanOrEqual(5);
    expect(html).toEqual(expect.arrayContaining(['cards', 'table', 'microdata', 'json-ld', 'paginated']));
    expect(layoutIds.filter((id) => LAYOUTS[id].kind === 'json').length).toBeGreaterThanOrEqual(4);
  });

  it.each(layoutIds)('%s: its extract block reads back exactly what it rendered, absent fields absent', (id) => {
    expect(read(id, [hostile, bare])).toEqual([expected(hostile), expected(bare)]);
  });

  it.each(layoutIds)('%s: sitescan’s own extractHtml/extractJson read it the same way', (id) => {
    expect(readWithConnector(id, [hostile, bare])).toEqual([expected(hostile), expected(bare)]);
  });

  it.each(layoutIds)('%s: renders a valid page with zero items when nothing matched', (id) => {
    const layout = LAYOUTS[id];
    const body = layout.render(page([], 'nothing'));
    expect(read(id, [])).toEqual([]);
    if (layout.kind === 'json') expect(() => JSON.parse(body) as unknown).not.toThrow();
    else expect(cheerio.load(body)('main').length).toBe(1);
  });

  it.each(layoutIds.filter((id) => LAYOUTS[id].kind === 'html'))('%s: escapes every value, in text and attributes', (id) => {
    const html = LAYOUTS[id].render(page([hostile]));
    expect(html).not.toContain('<b>Diner</b>');
    expect(html).not.toContain('<i>Elm</i>');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<Site>');
    expect(html).not.toContain('b="2"');
    expect(html).toContain('Tom&#39;s &lt;b&gt;Diner&lt;/b&gt; &amp; &quot;Grill&quot;');
    const $ = cheerio.load(html);
    // No element came from the data: the page has as many <b>, <i> and <script> as a benign one.
    const tags = ($page: cheerio.CheerioAPI) => $page('b, i, script').length;
    expect(tags($)).toBe(tags(cheerio.load(LAYOUTS[id].render(page([bare], 'benign')))));
    expect($('input[name=q]').attr('value')).toBe("Tom's <script>alert(1)</script>");
  });
});

describe('escapeHtml and renderError', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">Tom's & co</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;');
  });

  it('answers errors in the site kind', () => {
    expect(JSON.parse(renderError('json', 429, 'rate_limited', 'slow down'))).toEqual({ error: { code: 'rate_limited', message: 'slow down' } });
    const html = renderError('html', 400, 'bad_request', 'q <required>');
    expect(html).toContain('<h1>400 bad_request</h1>');
    expect(html).toContain('q &lt;required&gt;');
  });
});

describe('json-ld layout', () => {
  it('carries the same results as a schema.org ItemList, safe inside <script>', () => {
    const html = LAYOUTS['json-ld'].render(page([hostile, bare]));
    const $ = cheerio.load(html);
    const scripts = $('script[type="application/ld+json"]');
    expect(scripts.length).toBe(1);
    expect(scripts.text()).not.toContain('</');
    const data = JSON.parse(scripts.text()) as { '@type': string; itemListElement: { position: number; item: Record<string, unknown> }[] };
    expect(data['@type']).toBe('ItemList');
    expect(data.itemListElement.map((element) => element.position)).toEqual([1, 2]);
    expect(data.itemListElement[0]!.item).toMatchObject({
      '@type': 'LocalBusiness',
      '@id': `http://127.0.0.1:4010${hostile.path}`,
      name: hostile.name,
      address: { '@type': 'PostalAddress', streetAddress: hostile.street, addressLocality: 'Austin', addressRegion: 'TX', postalCode: '78701' },
      telephone: hostile.phone,
      url: hostile.website,
    });
    // Without a website, `url` is the listing page.
    expect(data.itemListElement[1]!.item.url).toBe(`http://127.0.0.1:4010${bare.path}`);
    expect(data.itemListElement[1]!.item).not.toHaveProperty('telephone');
  });
});

describe('paginated layout', () => {
  const many = Array.from({ length: 12 }, (_, i): SandboxListing => ({ ...bare, businessId: `b0001${String(i).padStart(2, '0')}`, name: `Bare Bones Bakery ${i + 1}` }));
  const render = (n: number) => cheerio.load(LAYOUTS.paginated.render({ ...page(many, 'Bare Bones'), page: n }));

  it(`shows ${PAGE_SIZE} results per page, the best first on page 1, with a next link`, () => {
    const $ = render(1);
    expect($('li.tst-result a.tst-title').toArray().map((el) => $(el).text())).toEqual(many.slice(0, PAGE_SIZE).map((l) => l.name));
    expect($('p.tst-range').text()).toBe(`Showing 1–${PAGE_SIZE} of 12 results`);
    expect($('nav.tst-pager a[rel="prev"]').length).toBe(0);
    const next = new URL($('nav.tst-pager a[rel="next"]').attr('href')!);
    expect(next.pathname).toBe('/test.site/search');
    expect(Object.fromEntries(next.searchParams)).toEqual({ q: 'Bare Bones', where: 'Austin, TX', page: '2' });
    expect($('nav.tst-pager [aria-current="page"]').text()).toBe('1');
  });

  it('serves the rest on later pages and clamps a page past the end', () => {
    const $ = render(3);
    expect($('li.tst-result').length).toBe(2);
    expect($('nav.tst-pager a[rel="next"]').length).toBe(0);
    expect(new URL($('nav.tst-pager a[rel="prev"]').attr('href')!).searchParams.get('page')).toBe('2');
    expect(render(99)('nav.tst-pager [aria-current="page"]').text()).toBe('3');
    expect(extractHtml(LAYOUTS.paginated.render({ ...page(many), page: 2 }), LAYOUTS.paginated.extract('tst')).map((l) => l.name)).toEqual(
      many.slice(PAGE_SIZE, 2 * PAGE_SIZE).map((l) => l.name),
    );
  });
});

describe('captcha and block pages', () => {
  it('a captcha page has its markers and no results for any HTML layout’s extract block', () => {
    const html = renderCaptcha(page([hostile]));
    const $ = cheerio.load(html);
    expect($('title').text()).toMatch(/^Security check/);
    expect($('#captcha[data-captcha="required"]').length).toBe(1);
    expect($('.g-recaptcha').length).toBe(1);
    for (const id of layoutIds.filter((layout) => LAYOUTS[layout].kind === 'html')) {
      const layout = LAYOUTS[id];
      if (layout.kind === 'html') expect(extractHtml(html, layout.extract('tst')), id).toEqual([]);
    }
    expect(html).not.toContain('<script>alert(1)</script>');
  });

  it('a block page is a plain access-denied page in the site kind', () => {
    expect(renderBlocked('html', 'Opendi', 30_000)).toContain('<h1>Access denied</h1>');
    expect(JSON.parse(renderBlocked('json', 'n49', 90_000))).toEqual({
      error: { code: 'forbidden', message: expect.stringContaining('about 2 minutes') },
    });
  });
});
