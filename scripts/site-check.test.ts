import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./site-check.ts', import.meta.url));

let server: Server;
let dir: string;
let base: string;

/** Runs `npm run site:check -- …` as a user would (through tsx), and returns its exit code and output. */
function siteCheck(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    res.writeHead(200, { 'content-type': 'text/html' });
    if (url.pathname === '/wall') return res.end('<html><head><title>Just a moment...</title></head><body></body></html>');
    if (url.pathname === '/v2') return res.end('<html><body><div class="card-v2">Mei Lin</div><p>1 result</p></body></html>');
    res.end(
      `<html><body><ul class="results"><li class="hit"><b class="n">Mei Lin's Fine Szechuan Cuisine\u001b[2J</b>` +
        `<span class="a">418 Grant Ave, San Francisco, CA 94108</span><span class="tel">415/555-0101</span></li></ul></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(tmpdir(), 'site-check-'));
  const site = (id: string, route: string, pages?: unknown) => ({
    id,
    name: id,
    kind: 'html',
    search: { url: `${base}/${route}?q={name}` },
    limits: { concurrency: 1, requests: 1, perMs: 1000 },
    extract: { item: 'ul.results > li.hit', name: '.n', address: '.a', phone: '.tel' },
    ...(pages ? { pages } : {}),
  });
  await writeFile(path.join(dir, 'sites.json'), JSON.stringify([site('ok.test', 'search'), site('wall.test', 'wall'), site('v2.test', 'v2')]));
  await writeFile(path.join(dir, 'bad.json'), JSON.stringify(site('bad.test', 'search', { noResults: [{ selector: 'div[' }] })));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run site:check', { timeout: 60_000 }, () => {
  it('prints the results page and each listing with its field verdicts, as plain text', async () => {
    const { code, out } = await siteCheck(path.join(dir, 'sites.json'), "Mei Lin's", '--location', '418 Grant Ave, San Francisco, CA', '--phone', '415-555-0101', '--site', 'ok.test');
    expect(code).toBe(0);
    expect(out).toMatch(/page +results page/);
    expect(out).toMatch(/#1 Mei Lin's Fine Szechuan Cuisine\?\[2J → partial/);
    expect(out).toMatch(/verdicts name mismatch, phone match, address match/);
    expect(out).not.toContain('\u001b');
  });

  it('tells a bot wall and an unrecognised page', async () => {
    const wall = await siteCheck(path.join(dir, 'sites.json'), 'x', '--site', 'wall.test');
    expect(wall).toMatchObject({ code: 1, out: expect.stringMatching(/bot wall: cloudflare/) });
    const changed = await siteCheck(path.join(dir, 'sites.json'), 'x', '--site', 'v2.test');
    expect(changed).toMatchObject({ code: 1, out: expect.stringMatching(/not recognised \(layout changed\?\)/) });
  });

  it('names what is wrong with a definition, and asks which site of several', async () => {
    const bad = await siteCheck(path.join(dir, 'bad.json'), 'x');
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/site 0 \(bad\.test\): pages\.noResults\.0\.selector: not a valid CSS selector/);
    const several = await siteCheck(path.join(dir, 'sites.json'), 'x');
    expect(several.out).toMatch(/defines 3 sites \(ok\.test, wall\.test, v2\.test\); choose one with --site/);
  });
});
