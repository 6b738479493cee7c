import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import type { SandboxListing } from './dataset';
import { LAYOUTS, escapeHtml, renderError, type LayoutId, type PageContext } from './layouts';
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

const expected = (listing: SandboxListing): ReadListing => ({
  name: listing.name,
  address: listing.address,
  ...(listing.phone ? { phone: listing.phone } : {}),
  ...(listing.website ? { website: listing.website } : {}),
  url: `http://127.0.0.1:4010${listing.path}`,
});

const layoutIds = Object.keys(LAYOUTS) as LayoutId[];

describe('layouts', () => {
  it('offers at least three HTML layouts and two JSON shapes', () => {
    expect(layoutIds.filter((id) => LAYOUTS[id].kind === 'html').length).toBeGreaterThanOrEqual(3);
    expect(layoutIds.filter((id) => LAYOUTS[id].kind === 'json').length).toBeGreaterThanOrEqual(2);
  });

  it.each(layoutIds)('%s: its extract block reads back exactly what it rendered, absent fields absent', (id) => {
    expect(read(id, [hostile, bare])).toEqual([expected(hostile), expected(bare)]);
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
    expect($('b, i, script').length).toBe(0);
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
