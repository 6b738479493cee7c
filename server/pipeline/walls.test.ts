/**
 * "Not listed" needs proof: real sitescan, real HTTP, a test directory that lists every business
 * but answers some requests with a bot wall, and sites that always wall or whose layout changed.
 *
 *   searches ──▶ pipeline ──▶ HttpConnector ──HTTP──▶ test directory
 *                                                       /every-third  lists all, walls every 3rd request
 *                                                       /wall-<kind>  always that wall (200): reCAPTCHA, hCaptcha,
 *                                                                     Cloudflare, Turnstile, DataDome, PerimeterX,
 *                                                                     Imperva, Akamai, AWS WAF, an interstitial
 *                                                       /redesign     the results in markup nobody declared
 *                                                       /empty        its real "no results" page
 *
 * What must hold: no job on a walled or redesigned site ends `not_found`; walls are retried
 * (`site:rate_limited`) and end `failed` "blocked (captcha)" when they persist; a redesign ends
 * `failed` "page not recognised (layout changed?)" and shows in the site's error rate; a real
 * "no results" page still ends `not_found`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchSnapshot } from '../../lib/types';
import { escapeHtml } from '../sandbox/layouts';
import { startTestSitescan, type TestSitescan } from '../test-support';
import { BLOCKED_REASON, PAGE_NOT_RECOGNISED_REASON } from './attempt';

const WALLS: Record<string, string> = {
  recaptcha: '<form><div class="g-recaptcha" data-sitekey="k"></div></form>',
  hcaptcha: '<script src="https://js.hcaptcha.com/1/api.js"></script><div class="h-captcha" data-sitekey="k"></div>',
  cloudflare: '<title>Just a moment...</title><script>window._cf_chl_opt={}</script><form id="challenge-form"></form>',
  interstitial: '<h1>Access denied</h1><p>Your request was blocked because you are using automation tools.</p>',
  turnstile: '<div class="cf-turnstile" data-sitekey="k"></div>',
  datadome: '<script src="https://ct.captcha-delivery.com/c.js"></script>',
  perimeterx: '<div id="px-captcha"></div><p>Press &amp; Hold</p>',
  imperva: '<iframe src="/_Incapsula_Resource?SWUDNSAI=31"></iframe>',
  akamai: "<h1>Access Denied</h1>You don't have permission to access this server.<p>Reference #18.7d</p>",
  'aws-waf': '<script src="https://abc.token.awswaf.com/abc/challenge.js"></script>',
};

const html = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>Directory</title></head><body>${body}</body></html>`;
const resultsPage = (q: string) =>
  html(`<ul class="results"><li class="hit"><b class="n">${escapeHtml(q)}</b><span class="tel">(503) 555-0134</span></li></ul>`);

let server: Server;
let requests = 0;
let wallsServed = 0;

function serve(route: string, q: string): string {
  if (route === 'every-third') {
    requests++;
    if (requests % 3 === 0) {
      wallsServed++;
      return html(Object.values(WALLS)[wallsServed % Object.keys(WALLS).length]!);
    }
    return resultsPage(q);
  }
  if (route.startsWith('wall-')) return html(WALLS[route.slice('wall-'.length)]!);
  if (route === 'redesign') return html(`<div class="card-v2"><h2>${escapeHtml(q)}</h2></div><p>1 result</p>`);
  return html('<ul class="results"></ul><p class="empty">No results for your search.</p>');
}

const ROUTES = ['every-third', ...Object.keys(WALLS).map((kind) => `wall-${kind}`), 'redesign', 'empty'];

describe('walls and unrecognised pages, over real HTTP', () => {
  let app: TestSitescan;
  let dir: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(serve(url.pathname.split('/')[1]!, url.searchParams.get('q') ?? ''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(path.join(tmpdir(), 'sitescan-walls-'));
    const sites = ROUTES.map((route) => ({
      id: `${route}.test`,
      name: route,
      kind: 'html',
      search: { url: `${base}/${route}/search?q={name}` },
      limits: { concurrency: 4, requests: 50, perMs: 200 },
      timeoutMs: 2000,
      retries: 2,
      cacheTtlMs: 0,
      extract: { item: 'ul.results > li.hit', name: '.n', phone: '.tel' },
    }));
    await writeFile(path.join(dir, 'sites.json'), JSON.stringify(sites));
    app = await startTestSitescan({ SANDBOX: '0', SITES_FILE: path.join(dir, 'sites.json'), SEARCH_DEADLINE_MS: '5000' });
  });
  afterAll(async () => {
    await app?.dispose();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('never reads a wall or an unrecognised page as "not listed"', { timeout: 60_000 }, async () => {
    const snapshots: SearchSnapshot[] = [];
    // One after another, as a new user tries a few businesses: the directory's request counter
    // then walls every third request of the run.
    for (let i = 0; i < 9; i++) {
      const sites = ROUTES.map((route) => `${route}.test`);
      const { id } = await app.services.searches.create({ name: `Mei Lin's ${i}`, phone: '503/555-0134' }, { sites });
      snapshots.push(await app.services.searches.whenEnded(id));
    }
    expect(wallsServed, 'the every-third directory served walls').toBeGreaterThanOrEqual(3);

    const ended = (siteId: string) => snapshots.map(({ results }) => results.find((result) => result.siteId === siteId)!);
    for (const { results } of snapshots) {
      const falseNotFound = results.filter((result) => result.outcome === 'not_found' && result.siteId !== 'empty.test');
      expect(falseNotFound).toEqual([]);
    }
    for (const result of ended('every-third.test')) {
      expect(result, 'a listed business behind an occasional wall is found').toMatchObject({ status: 'done', outcome: 'found' });
    }
    for (const result of ended('empty.test')) {
      expect(result, 'a real no-results page is still "not listed"').toMatchObject({ status: 'done', outcome: 'not_found' });
    }
    const blocked = new RegExp(`^${BLOCKED_REASON.replace(/[()]/g, '\\$&')}`);
    for (const kind of Object.keys(WALLS)) {
      const [first, ...rest] = ended(`wall-${kind}.test`);
      expect(first, `${kind} wall`).toMatchObject({ status: 'failed', error: expect.stringMatching(blocked) });
      const retries = snapshots[0]!.events.filter((event) => event.siteId === `wall-${kind}.test` && event.type === 'site:rate_limited');
      expect(retries.length, `${kind} wall retried as push-back`).toBe(2);
      // A site that keeps walling opens its circuit: later jobs are skipped without a request.
      for (const result of rest) {
        expect(result.status === 'failed' ? result.error : `${result.status}: ${result.error}`, `${kind} wall`).toMatch(
          result.status === 'failed' ? blocked : /^skipped: circuit open$/,
        );
      }
      expect(rest.some((result) => result.status === 'skipped'), `${kind}: the circuit counts walls`).toBe(true);
    }
    const [firstRedesign, ...laterRedesign] = ended('redesign.test');
    expect(firstRedesign).toMatchObject({ status: 'failed', error: PAGE_NOT_RECOGNISED_REASON });
    for (const result of laterRedesign) expect(['failed', 'skipped']).toContain(result.status);

    const redesign = app.services.pipeline.siteStats('redesign.test');
    expect(redesign?.errorRate, 'an operator sees the broken definition on /sites').toBe(1);
    expect(redesign?.lastError?.message).toBe(PAGE_NOT_RECOGNISED_REASON);
    expect(app.services.pipeline.siteStats('wall-recaptcha.test')?.lastError?.message).toBe(BLOCKED_REASON);
  });
});
