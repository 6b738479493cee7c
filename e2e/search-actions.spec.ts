import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import { expect, test } from '@playwright/test';
import type { SearchSnapshot } from '../lib/types';
import { business, expectAccessible, SCREENSHOTS, screenshot, useSitescanServer } from './support';

// Slow sites and a long deadline: the search is still running when the reader acts on it. At
// speed 5 it ended after 15 s, while a loaded CI machine spent 13 s on the axe check alone.
const app = useSitescanServer({ SANDBOX_SPEED: '15', SEARCH_DEADLINE_MS: '90000' });

test('copy the share link, cancel a running search, export it, and run it again', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.server.url });
  await page.goto(app.server.url);
  await page.getByLabel('Business name').fill(business.name);
  await page.getByLabel('Location').fill(`${business.city}, ${business.state}`);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/s\/[A-Za-z0-9_-]{22}$/);
  const firstUrl = page.url();
  await expect(page.getByText('running', { exact: true }).first()).toBeVisible();
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
  await expect(page.getByText(/^ETA /)).toBeVisible();
  // The running page, with its live parts (cancel, ETA, live status), passes axe too.
  await expectAccessible(page, 'a running search');
  await expect.poll(async () => Number(await page.getByRole('progressbar', { name: 'Sites answered' }).getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(8);
  await page.screenshot({ path: `${SCREENSHOTS}/readme-search.png` });

  // The log follows new events until the reader scrolls up, and again after "Jump to newest".
  const heading = page.getByRole('heading', { name: /^Event log \(\d+\)$/ });
  const shown = async () => Number((await heading.textContent())!.match(/\((\d+)\)/)![1]);
  const scroller = page.getByRole('region', { name: 'Events, scrollable' });
  await expect.poll(shown).toBeGreaterThan(20);
  await expect(page.getByText('Following new events')).toBeVisible();
  await scroller.hover();
  await page.mouse.wheel(0, -10_000);
  await expect(page.getByText('Paused: scroll to the bottom to follow new events')).toBeVisible();
  // Chromium animates a wheel scroll: "Paused" shows as soon as it leaves the bottom, before it
  // reaches the top. Wait for the top, then check new events do not move the reader.
  await expect.poll(() => scroller.evaluate((element) => element.scrollTop)).toBe(0);
  const whenPaused = await shown();
  await expect.poll(shown).toBeGreaterThan(whenPaused);
  expect(await scroller.evaluate((element) => element.scrollTop)).toBe(0);
  await expect(page.getByRole('list', { name: 'Events' }).locator('li').first()).toHaveAttribute('data-seq', '1');
  await page.getByRole('button', { name: 'Jump to newest' }).click();
  await expect(page.getByText('Following new events')).toBeVisible();
  await expect
    .poll(() => scroller.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight))
    .toBeLessThan(12);

  await page.getByRole('button', { name: 'Copy share link' }).click();
  await expect(page.getByText('Share link copied')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(firstUrl);

  await page.getByRole('button', { name: 'Cancel search' }).click();
  const log = page.getByRole('list', { name: 'Events' });
  await expect(log.getByText('search:cancelled', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel search' })).toHaveCount(0);
  await expect(page.locator('header').getByText('cancelled', { exact: true })).toBeVisible();
  const rows = page.getByRole('table', { name: 'Sites searched' }).locator('tbody tr');
  await expect(rows.and(page.locator('[data-status="cancelled"]')).first()).toBeVisible();
  await expect(rows.and(page.locator('[data-status="running"], [data-status="scheduled"], [data-status="pending"]'))).toHaveCount(0);
  await screenshot(page, 'search-cancelled');

  const csvDownload = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toMatch(/^sitescan-.*\.csv$/);
  const [header, ...lines] = Papa.parse<string[]>(await readFile(await csv.path(), 'utf8'), { skipEmptyLines: true }).data;
  expect(header!.slice(0, 2)).toEqual(['search_id', 'business_name']);
  expect(lines.length).toBe(await rows.count());
  expect(lines.some((line) => line[header!.indexOf('status')] === 'cancelled')).toBe(true);

  const jsonDownload = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export JSON' }).click();
  const json = JSON.parse(await readFile(await (await jsonDownload).path(), 'utf8')) as SearchSnapshot;
  expect(json.search).toMatchObject({ status: 'cancelled', query: { name: business.name } });
  expect(json.events.at(-1)!.type).toBe('search:cancelled');

  await page.getByRole('button', { name: 'Run again' }).click();
  await expect(page).not.toHaveURL(firstUrl);
  await expect(page).toHaveURL(/\/s\/[A-Za-z0-9_-]{22}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(business.name);
  await expect(page.getByText(`${business.city}, ${business.state}`, { exact: true })).toBeVisible();
  await expect(page.locator('header').getByText('running', { exact: true })).toBeVisible();
  await screenshot(page, 'search-run-again');
  await page.getByRole('button', { name: 'Cancel search' }).click();
  await expect(page.getByRole('list', { name: 'Events' }).getByText('search:cancelled', { exact: true })).toBeVisible();
});
