import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createDataset } from '../server/sandbox/dataset';
import { SANDBOX_SITES } from '../server/sandbox/sandbox-sites';
import { startSitescanServer, type SitescanServer } from './sitescan-server';

const ORIGINAL_SITES = [
  'yasabe.com',
  'yellowyello.com',
  'uscity.net',
  'elocal.com',
  'cylex-usa.com',
  'brownbook.net',
  'showmelocal.com',
  'localstack.com',
  'foursquare.com',
  'cataloxy.us',
];

// A business of the sandbox's default world (seed 1) that most sites list.
const business = (() => {
  const dataset = createDataset({ seed: 1, size: 10_000, sites: SANDBOX_SITES });
  return dataset.businesses.slice(0, 200).reduce((best, candidate) => {
    const count = (b: typeof candidate) => SANDBOX_SITES.filter((site) => dataset.listingFor(site.id, b.id)).length;
    return count(candidate) > count(best) ? candidate : best;
  });
})();

let dataDir: string;
let server: SitescanServer;

test.beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sitescan-e2e-'));
  server = await startSitescanServer({ dataDir });
});

test.afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The table rows, as the reader sees them: site id → status text. */
async function rowStatuses(page: Page): Promise<Record<string, string>> {
  const rows = page.getByRole('table', { name: 'Sites searched' }).locator('tbody tr');
  const statuses: Record<string, string> = {};
  for (const row of await rows.all()) {
    statuses[(await row.getAttribute('data-site'))!] = (await row.getAttribute('data-status'))!;
  }
  return statuses;
}

test('search, watch it live, share the link, and find it again after a restart', async ({ page, browser }) => {
  await page.goto(server.url);
  await page.getByLabel('Business name').fill(business.name);
  await page.getByLabel('Location').fill(`${business.city}, ${business.state}`);
  await page.getByRole('button', { name: 'Search' }).click();

  await expect(page).toHaveURL(/\/s\/[A-Za-z0-9_-]{22}$/);
  const shareUrl = page.url();
  const log = page.getByRole('list', { name: 'Events' });

  // Live: the page shows the search before it ends, then updates without a reload.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(business.name);
  const eventsAtFirstSight = await log.getByRole('listitem').count();
  await expect(log.getByText('search:completed', { exact: true })).toBeVisible({ timeout: 10_000 });
  const events = await log.getByRole('listitem').count();
  expect(events).toBeGreaterThan(eventsAtFirstSight);

  // Every site went scheduled → started → done/failed, each in the log with its timestamp.
  await expect(log.getByText('search:created', { exact: true })).toBeVisible();
  for (const site of ORIGINAL_SITES) {
    await expect(log.getByText(`${site}:scheduled`, { exact: true })).toHaveCount(1);
    await expect(log.getByText(`${site}:started`, { exact: true }).first()).toBeAttached();
  }
  await expect(log.locator('time').first()).toHaveText(/^\d{2}:\d{2}:\d{2}\.\d{3}$/);

  const statuses = await rowStatuses(page);
  expect(Object.keys(statuses).sort()).toEqual([...ORIGINAL_SITES].sort());
  for (const status of Object.values(statuses)) expect(['done', 'failed']).toContain(status);
  const table = page.getByRole('table', { name: 'Sites searched' });
  await expect(table.getByText('sandbox', { exact: true })).toHaveCount(10);
  await expect(table.getByText(/^found/).first()).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Sites answered' })).toHaveAttribute('aria-valuenow', '10');
  await page.screenshot({ path: 'test-results/screenshots/search-page.png', fullPage: true });

  // The share link shows the same result in a fresh browser context.
  const other = await browser.newContext();
  const shared = await other.newPage();
  await shared.goto(shareUrl);
  await expect(shared.getByRole('heading', { level: 1 })).toHaveText(business.name);
  expect(await rowStatuses(shared)).toEqual(statuses);
  await expect(shared.getByRole('list', { name: 'Events' }).getByRole('listitem')).toHaveCount(events);
  await other.close();

  // … and after the server restarts.
  await server.stop();
  server = await startSitescanServer({ dataDir, port: server.port });
  const afterRestart = await browser.newContext();
  const again = await afterRestart.newPage();
  await again.goto(shareUrl);
  expect(await rowStatuses(again)).toEqual(statuses);
  await expect(again.getByRole('list', { name: 'Events' }).getByRole('listitem')).toHaveCount(events);
  await expect(again.getByRole('list', { name: 'Events' }).getByText('search:completed', { exact: true })).toBeVisible();
  await afterRestart.close();
});

test('the form says what is wrong before sending anything', async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('name is required')).toBeVisible();
  await expect(page.getByLabel('Business name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(`${server.url}/`);
});

test('an unknown search id is a 404 page', async ({ page }) => {
  const response = await page.goto(`${server.url}/s/${'A'.repeat(22)}`);
  expect(response?.status()).toBe(404);
});
