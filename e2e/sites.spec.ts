import { expect, test } from '@playwright/test';
import { expectAccessible, SCREENSHOTS, screenshot, startSearch, useSitescanServer } from './support';

const app = useSitescanServer();

test('the sites view updates live while searches run', async ({ page, request }) => {
  await page.goto(app.server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sites', exact: true }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
  const table = page.getByRole('table', { name: 'Live figures of every site' });
  await expect(table.locator('tr[data-site="brownbook.net"]')).toBeVisible();
  // A daily quota is told as one, not as its 0.1/s average, which its bursts would seem to break.
  await expect(table.locator('tr[data-site="overpass"]')).toContainText('of 10,000 a day');
  const attempts = async () =>
    (await table.locator('tbody tr').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-attempts'))))).reduce((a, b) => a + b, 0);
  const before = await attempts();

  const names = ['Blue Door Bakery', 'Corner Deli', 'Harbor Lights Marina', 'Granite Peak Gym', 'Otter Pub', 'Zebra Cafe', 'Maple Dental', 'Union Books'];
  for (const name of names) await startSearch(request, app.server.url, { name });
  // Pushed by the hub, not reloaded: the page's figures move on their own.
  await expect.poll(attempts, { timeout: 10_000 }).toBeGreaterThan(before);
  await expect(page.getByText(/^Updated \d{2}:\d{2}:\d{2}\.\d{3} \(just now\)$/)).toBeVisible();
  await screenshot(page, 'sites-page');
  await page.screenshot({ path: `${SCREENSHOTS}/readme-sites.png` });
  await expectAccessible(page, 'sites with live figures');
  expect(await page.evaluate(() => document.location.pathname)).toBe('/sites');
});

test('the sites view charts the last minutes live, with text alternatives, in light and dark', async ({ page, request }) => {
  await page.goto(`${app.server.url}/sites`);
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
  const charts = page.getByRole('region', { name: 'Last 5 minutes' });
  const jobs = charts.locator('figure[data-chart="Site jobs/s"]');
  // uPlot draws on a canvas, hidden from assistive technology; the caption says it in words.
  await expect(jobs.locator('[aria-hidden="true"] canvas')).toBeVisible();
  await expect(jobs.locator('figcaption')).toHaveText(/^Site jobs answered: now \d/);
  const brownbook = charts.locator('li[data-site-chart="brownbook.net"]');
  await expect(brownbook.locator('canvas')).toHaveCount(2);
  await expect(brownbook.locator('figcaption').first()).toHaveText(/limit \d/);
  await expect(charts.locator('li[data-site-chart="overpass"] figcaption').first()).toHaveText(/limit 10,000 a day$/);
  const drawing = () => jobs.locator('canvas').evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL());
  const before = await drawing();

  const started = [];
  // Twelve searches here and eight before: enough answers (20) for some sites' latency models.
  const names = ['Bakery', 'Deli', 'Marina', 'Gym', 'Pub', 'Cafe', 'Dental', 'Books', 'Florist', 'Garage', 'Salon', 'Diner'].map((kind) => `Charted ${kind}`);
  for (const name of names) started.push(await startSearch(request, app.server.url, { name }));
  // Someone watching a search: its events are pushed, and the push latency is measured.
  const watcher = await page.context().newPage();
  await watcher.goto(`${app.server.url}${started[3]!.url}`);
  // Pushed each second: the caption's peak and the drawing both move without a reload.
  await expect(jobs.locator('figcaption')).toHaveText(/peak (?!0\.0\/s)\d+(\.\d)?\/s/, { timeout: 15_000 });
  await expect(charts.locator('figure[data-chart="Searches/s"] figcaption')).toHaveText(/peak (?!0\.0\/s)\d/);
  await expect(charts.locator('figure[data-chart="Push latency p95"] figcaption')).toHaveText(/latest \d+ ms, peak \d+ ms/);
  await watcher.close();
  await expect.poll(drawing).not.toBe(before);
  await expect(brownbook.locator('figcaption').first()).toHaveText(/Requests\/s now [\d.]+\/s, peak (?!0\.0\/s)[\d.]+\/s, limit [\d.]+\/s/);
  await expect(charts.locator('li[data-site-chart] figcaption', { hasText: /^Latency p95 latest \d+ ms, peak \d+ ms$/ }).first()).toBeVisible({ timeout: 20_000 });
  await expectAccessible(page, 'sites with live charts (light)');
  await charts.screenshot({ path: `${SCREENSHOTS}/sites-charts.png`, animations: 'disabled' });

  await page.emulateMedia({ colorScheme: 'dark' });
  // The charts are drawn again in the dark palette, from the same samples.
  await expect(jobs.locator('[data-scheme="dark"] canvas')).toBeVisible();
  await expect(charts.locator('[data-scheme="light"]')).toHaveCount(0);
  await expectAccessible(page, 'sites with live charts (dark)');
  await charts.screenshot({ path: `${SCREENSHOTS}/sites-charts-dark.png`, animations: 'disabled' });
});
