import { expect, test, type Page } from '@playwright/test';
import { business, expectAccessible, screenshot, searchEnded, startSearch, useSitescanServer } from './support';

const app = useSitescanServer();
let searchPath = '';
let bulkRunPath = '';

test.beforeAll(async ({ request }) => {
  const { id, url } = await startSearch(request, app.server.url, { name: business.name, location: `${business.city}, ${business.state}`, phone: business.phone });
  await searchEnded(request, app.server.url, id);
  searchPath = url;
  const run = await request.post(`${app.server.url}/api/bulk?name=clients.csv`, {
    headers: { 'content-type': 'text/csv' },
    data: `name,location\n${business.name},"${business.city}, ${business.state}"\n,nowhere\n`,
  });
  expect(run.status()).toBe(201);
  const { url: runUrl, searches } = (await run.json()) as { url: string; searches: { id: string }[] };
  for (const search of searches) await searchEnded(request, app.server.url, search.id);
  bulkRunPath = runUrl;
});

const views: [string, () => string][] = [
  ['home', () => '/'],
  ['search', () => searchPath],
  ['history', () => '/history'],
  ['sites', () => '/sites'],
  ['bulk', () => '/bulk'],
  ['bulk-run', () => bulkRunPath],
];

/** Waits for what each view renders after load (live connection, data). */
async function settle(page: Page, view: string) {
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  if (view === 'search') await expect(page.getByText('Final result', { exact: true })).toBeVisible();
  if (view === 'sites') await expect(page.getByText('Live', { exact: true })).toBeVisible();
  if (view === 'bulk-run') await expect(page.getByText('1 of 1 searches ended')).toBeVisible();
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every view has no serious or critical axe violation (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    for (const [view, path] of views) {
      await page.goto(`${app.server.url}${path()}`);
      await settle(page, view);
      await expectAccessible(page, `${view} (${colorScheme})`);
      if (colorScheme === 'dark') await screenshot(page, `${view}-dark`);
    }
  });
}

test('every view fits a 375 px phone without sideways scrolling of the page', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  for (const [view, path] of views) {
    await page.goto(`${app.server.url}${path()}`);
    await settle(page, view);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${view} is wider than the phone`).toBeLessThanOrEqual(375);
    await screenshot(page, `${view}-375`);
  }
  await page.goto(`${app.server.url}${searchPath}`);
  await expectAccessible(page, 'search at 375 px');
});

test('the result page works from the keyboard: skip link, visible focus, filters', async ({ page }) => {
  await page.goto(`${app.server.url}${searchPath}`);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const copy = page.getByRole('button', { name: 'Copy share link' });
  await expect(copy).toBeFocused();
  // Focus is drawn (an outline), not left to the browser's default or to colour alone.
  expect(await copy.evaluate((element) => getComputedStyle(element).outlineStyle)).toBe('solid');
  const eventType = page.getByLabel('Event type');
  await eventType.focus();
  await page.keyboard.press('ArrowDown');
  await expect(eventType).not.toHaveValue('');
});
