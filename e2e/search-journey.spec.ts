import { expect, test } from '@playwright/test';
import { business, expectAccessible, logSeqs, rowStatuses, screenshot, useSitescanServer } from './support';

const app = useSitescanServer();

test('search, watch it live, share the link, and find it again after a restart', async ({ page, browser, request }) => {
  const { sites } = (await (await request.get(`${app.server.url}/api/sites`)).json()) as { sites: { id: string; status: string }[] };
  const siteIds = sites.map((site) => site.id);

  await page.goto(app.server.url);
  await page.getByLabel('Business name').fill(business.name);
  await page.getByLabel('Location').fill(`${business.city}, ${business.state}`);
  await page.getByRole('button', { name: 'Search' }).click();

  await expect(page).toHaveURL(/\/s\/[A-Za-z0-9_-]{22}$/);
  const shareUrl = page.url();
  const log = page.getByRole('list', { name: 'Events' });

  // Live: the page shows the search before it ends, then updates without a reload.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(business.name);
  const progress = page.getByRole('progressbar', { name: 'Sites answered' });
  const answeredAtFirstSight = Number(await progress.getAttribute('aria-valuenow'));
  expect(answeredAtFirstSight).toBeLessThan(siteIds.length);
  await expect(log.getByText('search:completed', { exact: true })).toBeVisible({ timeout: 10_000 });
  await expect(progress).toHaveAttribute('aria-valuenow', String(siteIds.length));
  await expect(page.getByText('Final result', { exact: true })).toBeVisible();

  // The log follows the newest event; its lines have a seq and a timestamp.
  await expect(log.locator('time').first()).toHaveText(/^\d{2}:\d{2}:\d{2}\.\d{3}$/);
  const seqs = await logSeqs(page);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  await expect(page.getByRole('heading', { name: `Event log (${seqs.length})` })).toBeVisible();
  // … and renders only the lines in view.
  expect(await log.locator('li').count()).toBeLessThan(Math.max(seqs.length, 40));

  // Filter by type: every site was scheduled (again after each retry), and only those lines show.
  await page.getByLabel('Event type').selectOption('site:scheduled');
  const active = sites.filter((site) => site.status === 'active').length;
  const filtered = page.getByRole('heading', { name: new RegExp(`^Event log \\((\\d+) of ${seqs.length}\\)$`) });
  await expect(filtered).toBeVisible();
  expect(Number((await filtered.textContent())!.match(/\((\d+) of/)![1])).toBeGreaterThanOrEqual(active);
  for (const label of await log.locator('li span.font-semibold').allTextContents()) expect(label).toMatch(/:scheduled$/);
  await page.getByLabel('Event type').selectOption('');
  // Filter by site: that site's events only, from scheduled to its end.
  await page.getByLabel('Site', { exact: true }).selectOption('brownbook.net');
  await expect(filtered).toBeVisible();
  await expect(log.getByText('brownbook.net:scheduled', { exact: true }).first()).toBeVisible();
  for (const label of await log.locator('li span.font-semibold').allTextContents()) expect(label).toMatch(/^brownbook\.net:/);
  await page.getByLabel('Site', { exact: true }).selectOption('');

  const statuses = await rowStatuses(page);
  expect(Object.keys(statuses).sort()).toEqual([...siteIds].sort());
  for (const status of Object.values(statuses)) expect(['done', 'failed', 'skipped']).toContain(status);
  const table = page.getByRole('table', { name: 'Sites searched' });
  await expect(table.getByText('sandbox', { exact: true })).toHaveCount(siteIds.length);
  await expect(table.getByText(/^found/).first()).toBeVisible();
  // Each field of a listing found carries a verdict in words.
  await expect(table.locator('[data-field="name"] dd').first()).toContainText(/match|mismatch|missing/);
  await expect(page.getByRole('definition').filter({ hasText: /^\d+ %$/ })).toBeVisible();
  await screenshot(page, 'search-page');

  // The share link shows the same result in a fresh browser context, without a live connection.
  const other = await browser.newContext();
  const shared = await other.newPage();
  const sockets: string[] = [];
  shared.on('websocket', (socket) => sockets.push(socket.url()));
  await shared.goto(shareUrl);
  await expect(shared.getByRole('heading', { level: 1 })).toHaveText(business.name);
  expect(await rowStatuses(shared)).toEqual(statuses);
  await expect(shared.getByRole('heading', { name: `Event log (${seqs.length})` })).toBeVisible();
  await expect(shared.getByText('Final result', { exact: true })).toBeVisible();
  expect(sockets).toEqual([]);
  await screenshot(shared, 'search-page-shared');
  await other.close();

  // … and after the server restarts.
  await app.restart();
  const afterRestart = await browser.newContext();
  const again = await afterRestart.newPage();
  await again.goto(shareUrl);
  expect(await rowStatuses(again)).toEqual(statuses);
  await expect(again.getByRole('heading', { name: `Event log (${seqs.length})` })).toBeVisible();
  await expect(again.getByRole('list', { name: 'Events' }).getByText('search:completed', { exact: true })).toBeVisible();
  await afterRestart.close();
});

test('the form says what is wrong before sending anything', async ({ page }) => {
  await page.goto(app.server.url);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('name is required')).toBeVisible();
  await expect(page.getByLabel('Business name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Business name')).toBeFocused();
  await expect(page).toHaveURL(`${app.server.url}/`);
  await expectAccessible(page, 'home with a validation error');
});

test('an unknown search id is a 404 page', async ({ page }) => {
  const response = await page.goto(`${app.server.url}/s/${'A'.repeat(22)}`);
  expect(response?.status()).toBe(404);
});
