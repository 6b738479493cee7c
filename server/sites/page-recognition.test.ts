import { describe, expect, it } from 'vitest';
import { TransientSiteError } from '../errors';
import { LAYOUTS, type LayoutId, type PageContext } from '../sandbox/layouts';
import { createDataset } from '../sandbox/dataset';
import { SANDBOX_SITES, siteDefinitionFor } from '../sandbox/sandbox-sites';
import { renderRedesigned, WALL_KINDS, wallPage } from '../sandbox/walls';
import { recogniseWall } from './bot-walls';
import { listContainer, readPage } from './page-recognition';
import { siteDefinitionSchema, type DeclarativeSiteDefinition } from './site-definition';

const pageUrl = new URL('http://127.0.0.1:4010/x/search?q=a');

function definition(extra: Record<string, unknown> = {}, kind: 'html' | 'json' = 'html'): DeclarativeSiteDefinition {
  return siteDefinitionSchema.parse({
    id: 'walls.test',
    name: 'Walls',
    kind,
    search: { url: 'http://127.0.0.1:1/search?q={name}' },
    limits: { concurrency: 1, requests: 1, perMs: 1000 },
    extract: kind === 'html' ? { item: 'div.hit', name: '.n' } : { items: 'data.hits', name: 'name' },
    ...extra,
  }) as DeclarativeSiteDefinition;
}

const page = (html: string) => `<!doctype html><html><head><title>t</title></head><body>${html}</body></html>`;

/** Walls as the vendors serve them: the markup their own integrations embed. */
const VENDOR_WALLS: Record<string, string> = {
  recaptcha: page('<form><div class="g-recaptcha" data-sitekey="k"></div></form>'),
  hcaptcha: page('<script src="https://js.hcaptcha.com/1/api.js"></script><div class="h-captcha" data-sitekey="k"></div>'),
  turnstile: page('<div class="cf-turnstile" data-sitekey="k"></div>'),
  cloudflare: '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><script>window._cf_chl_opt={}</script></body></html>',
  datadome: page('<script src="https://ct.captcha-delivery.com/c.js"></script>'),
  perimeterx: page('<div id="px-captcha"></div><p>Press &amp; Hold to confirm you are a human</p>'),
  imperva: page('<iframe src="/_Incapsula_Resource?SWUDNSAI=31"></iframe>Request unsuccessful. Incapsula incident ID: 1-2'),
  akamai: page("<h1>Access Denied</h1>You don't have permission to access \"http://x/\" on this server.<p>Reference #18.7d</p>"),
  'aws-waf': page('<script src="https://abc.token.awswaf.com/abc/challenge.js"></script><script>AwsWafIntegration.getToken()</script>'),
  interstitial: page('<h1>Pardon our interruption</h1><p>Your access was denied because you are using automation tools.</p>'),
};

describe('recogniseWall', () => {
  it.each(Object.entries(VENDOR_WALLS))('recognises a %s wall', (wall, html) => {
    expect(recogniseWall(html)?.wall).toBe(wall);
  });

  it.each(WALL_KINDS)('recognises the sandbox %s wall', (kind) => {
    const context: PageContext = { siteId: 's', siteName: 'S', baseUrl: 'http://127.0.0.1:1', searchPath: '/s/search', skin: 's', q: 'a', where: '', listings: [] };
    expect(recogniseWall(wallPage(kind, context))).toBeDefined();
  });

  it('does not take a reCAPTCHA v3 script or a long page that mentions automation for a wall', () => {
    expect(recogniseWall(page('<script src="https://www.google.com/recaptcha/api.js?render=KEY"></script><p>No results</p>'))).toBeUndefined();
    const terms = `<p>${'Automated requests are against our terms. '.repeat(1000)}</p>`;
    expect(recogniseWall(page(terms))).toBeUndefined();
  });
});

describe('readPage on the sandbox layouts', () => {
  const dataset = createDataset({ seed: 1, size: 200, sites: SANDBOX_SITES });
  const specs = [...new Map(SANDBOX_SITES.map((spec) => [spec.layout, spec])).values()];

  function contextFor(spec: (typeof specs)[number], listed: boolean): PageContext {
    return {
      siteId: spec.id,
      siteName: spec.name,
      baseUrl: 'http://127.0.0.1:4010',
      searchPath: `/${spec.id}${spec.searchPath}`,
      skin: spec.skin,
      q: 'Blue Door Bakery',
      where: 'Austin, TX',
      listings: listed ? dataset.listings(spec.id).slice(0, 3) : [],
    };
  }

  it.each(specs.map((spec) => [spec.layout, spec] as const))('%s: results, its empty page as no-results, its redesign as unrecognised', (_layout: LayoutId, spec) => {
    const site = siteDefinitionSchema.parse(siteDefinitionFor(spec, 'http://127.0.0.1:4010')) as DeclarativeSiteDefinition;
    const layout = LAYOUTS[spec.layout];
    expect(readPage(site, layout.render(contextFor(spec, true)), pageUrl).kind).toBe('results');
    expect(readPage(site, layout.render(contextFor(spec, false)), pageUrl).kind).toBe('no-results');
    expect(readPage(site, renderRedesigned(spec.layout, contextFor(spec, true)).body, pageUrl).kind).toBe('unrecognised');
  });

  it('reads every sandbox wall as a wall on an HTML and on a JSON site', () => {
    const context = contextFor(specs[0]!, false);
    for (const kind of WALL_KINDS) {
      expect(readPage(definition(), wallPage(kind, context), pageUrl).kind).toBe('wall');
      expect(readPage(definition({}, 'json'), wallPage(kind, context), pageUrl).kind).toBe('wall');
    }
  });
});

describe('readPage', () => {
  it('needs evidence for no-results: a page without items, list or message is unrecognised', () => {
    const reading = readPage(definition(), page('<div class="card-v2"><h2>Blue Door Bakery</h2></div><p>3 results</p>'), pageUrl);
    expect(reading).toMatchObject({ kind: 'unrecognised' });
    expect(readPage(definition(), page('<p>No results for "x"</p>'), pageUrl)).toMatchObject({ kind: 'no-results' });
  });

  it('takes an empty list container as a results page with nothing in it', () => {
    const site = definition({ extract: { item: 'ul.results > li.hit', name: '.n' } });
    expect(readPage(site, page('<ul class="results"></ul>'), pageUrl).kind).toBe('no-results');
    expect(readPage(site, page('<ul class="list-v2"></ul>'), pageUrl).kind).toBe('unrecognised');
  });

  it('lets declared markers decide, and the site’s own no-results marker outrank a captcha elsewhere on the page', () => {
    const site = definition({ pages: { noResults: [{ selector: '.empty' }], blocked: [{ text: 'slow down, robot' }] } });
    expect(readPage(site, page('<div class="empty"></div><div class="g-recaptcha"></div>'), pageUrl).kind).toBe('no-results');
    expect(readPage(site, page('<p>Slow down, ROBOT</p>'), pageUrl)).toMatchObject({ kind: 'wall', wall: 'marker' });
    // Markers declared and none present: the generic "No results" text no longer counts.
    expect(readPage(site, page('<p>No results</p>'), pageUrl).kind).toBe('unrecognised');
  });

  it('reads JSON: an empty list is no-results, a missing list unrecognised, markers by path', () => {
    expect(readPage(definition({}, 'json'), '{"data":{"hits":[]}}', pageUrl).kind).toBe('no-results');
    expect(readPage(definition({}, 'json'), '{"data":{"rows":[]}}', pageUrl).kind).toBe('unrecognised');
    const site = definition({ pages: { noResults: [{ path: 'data.total' }] } }, 'json');
    expect(readPage(site, '{"data":{"total":0}}', pageUrl).kind).toBe('no-results');
  });

  it('throws a retryable error for a cut-off answer', () => {
    expect(() => readPage(definition(), '<html><body><div class="hit">', pageUrl)).toThrow(TransientSiteError);
    expect(() => readPage(definition({}, 'json'), '{"data":', pageUrl)).toThrow(TransientSiteError);
  });
});

describe('page markers in a site definition', () => {
  it('names what is wrong with a bad marker', () => {
    const bad = (pages: unknown, kind: 'html' | 'json' = 'html') => {
      const result = siteDefinitionSchema.safeParse({ ...definition({}, kind), pages });
      return result.success ? 'accepted' : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    };
    expect(bad({ noResults: [{ selector: 'div[' }] })).toMatch(/pages\.noResults\.0(\.selector)?: .*not a valid CSS selector/);
    expect(bad({ blocked: [{ text: '' }] })).toMatch(/pages\.blocked\.0/);
    expect(bad({ resultsPage: [{ path: 'a.b' }] })).toMatch(/pages\.resultsPage\.0: a marker is \{"selector"/);
    expect(bad({ noResults: [{ selector: '.x' }] }, 'json')).toMatch(/pages\.noResults\.0: a marker is \{"path"/);
    expect(bad({ noResult: [{ text: 'x' }] })).toMatch(/pages: .*noResult/);
    expect(bad({ noResults: [{ text: 'No results' }] })).toBe('accepted');
  });
});

describe('listContainer', () => {
  it('is the part before the last combinator when it names a class, id or attribute', () => {
    expect(listContainer('ul.results > li')).toBe('ul.results');
    expect(listContainer('#list .item')).toBe('#list');
    expect(listContainer('main .item')).toBeUndefined();
    expect(listContainer('div.card')).toBeUndefined();
    expect(listContainer('li[itemtype="https://schema.org/LocalBusiness"]')).toBeUndefined();
  });
});
