/**
 * Site data is hostile: a directory that answers with markup and script in its listing must show
 * up as inert text, its javascript: link dropped, and nothing of it executed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startSitescanServer, type SitescanServer } from './sitescan-server';

const EVIL_NAME = 'Blue Door Bakery <img src=x onerror="window.__pwned=1">';
const EVIL_ADDRESS = '<script>window.__pwned=2</script>12 Main St, Austin, TX 78701';

let site: Server;
let sitescan: SitescanServer;
let dir: string;

test.beforeAll(async () => {
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ hits: [{ title: EVIL_NAME, addr: EVIL_ADDRESS, link: 'javascript:window.__pwned=3' }] }));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  dir = await mkdtemp(path.join(tmpdir(), 'sitescan-hostile-'));
  const sitesFile = path.join(dir, 'sites.json');
  await writeFile(
    sitesFile,
    JSON.stringify([
      {
        id: 'hostile.example',
        name: 'Hostile <b>Directory</b>',
        kind: 'json',
        search: { url: `http://127.0.0.1:${(site.address() as AddressInfo).port}/s?q={name}` },
        limits: { concurrency: 1, requests: 5, perMs: 1000 },
        extract: { items: 'hits', name: 'title', address: 'addr', url: 'link' },
      },
    ]),
  );
  sitescan = await startSitescanServer({ dataDir: path.join(dir, 'data'), env: { SITES_FILE: sitesFile } });
});

test.afterAll(async () => {
  await sitescan?.stop();
  site?.close();
  await rm(dir, { recursive: true, force: true });
});

test('markup and script from a site render as text and never run', async ({ page, request }) => {
  const created = await request.post(`${sitescan.url}/api/searches`, {
    // The query carries the markup too: user input is as untrusted as site data.
    data: { name: EVIL_NAME, location: 'Austin, TX', sites: ['hostile.example'] },
  });
  expect(created.status()).toBe(201);
  const { url } = (await created.json()) as { url: string };
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${sitescan.url}${url}`);
  const table = page.getByRole('table', { name: 'Sites searched' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(EVIL_NAME);
  await expect(table.getByText(EVIL_NAME, { exact: true })).toBeVisible({ timeout: 15_000 });
  await expect(table.getByText(EVIL_ADDRESS, { exact: true })).toBeVisible();
  await expect(table.getByText('Hostile <b>Directory</b>', { exact: true })).toBeVisible();
  expect(await table.locator('img, script, b').count()).toBe(0);
  expect(await table.locator('a[href^="javascript:"]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // The page ran under its CSP without tripping it.
  expect(violations).toEqual([]);
  const csp = (await request.get(`${sitescan.url}${url}`)).headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
});
