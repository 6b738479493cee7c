import { expect, test } from '@playwright/test';
import { expectAccessible, screenshot, searchEnded, startSearch, useSitescanServer } from './support';

const app = useSitescanServer();

test('search the history, filter by status, page through it, open a result', async ({ page, request }) => {
  const started: Record<string, string> = {};
  for (const name of ['Harbor Lights Marina', 'Granite Peak Gym', 'Harbor View Dental']) {
    started[name] = (await startSearch(request, app.server.url, { name, location: 'Portland, ME' })).id;
  }
  await request.post(`${app.server.url}/api/searches/${started['Harbor View Dental']}/cancel`);
  for (const id of Object.values(started)) await searchEnded(request, app.server.url, id);

  await page.goto(app.server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History', exact: true }).click();
  await expect(page).toHaveURL(/\/history$/);
  await expect(page.getByRole('link', { name: 'History', exact: true })).toHaveAttribute('aria-current', 'page');
  const list = page.getByRole('list', { name: 'Searches' });
  await expect(list.getByRole('listitem')).toHaveCount(3);

  await page.getByLabel('Search past searches').fill('harbor');
  await page.getByLabel('Search past searches').press('Enter');
  await expect(page).toHaveURL(/q=harbor/);
  await expect(list.getByRole('link')).toHaveText(['Harbor View Dental', 'Harbor Lights Marina']);
  await screenshot(page, 'history');

  await page.getByLabel('Status').selectOption('cancelled');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(list.getByRole('link')).toHaveText(['Harbor View Dental']);
  await expect(list.getByText('cancelled', { exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(list.getByRole('listitem')).toHaveCount(3);

  // One search a page: "Older" follows the cursor, "Newest" goes back.
  await page.goto(`${app.server.url}/history?q=harbor&limit=1`);
  await expect(list.getByRole('link')).toHaveText(['Harbor View Dental']);
  await page.getByRole('link', { name: 'Older' }).click();
  await expect(list.getByRole('link')).toHaveText(['Harbor Lights Marina']);
  await expect(page.getByRole('link', { name: 'Older' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Newest' }).click();
  await expect(list.getByRole('link')).toHaveText(['Harbor View Dental']);

  await list.getByRole('link', { name: 'Harbor View Dental' }).click();
  await expect(page).toHaveURL(`${app.server.url}/s/${started['Harbor View Dental']}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Harbor View Dental');
});

test('a bad cursor is explained, with a way back', async ({ page }) => {
  await page.goto(`${app.server.url}/history?cursor=not-a-cursor`);
  await expect(page.getByRole('alert').filter({ hasText: 'cursor' })).toContainText('cursor');
  await expectAccessible(page, 'history with a bad cursor');
  await page.getByRole('link', { name: 'Start from the newest searches' }).click();
  await expect(page).toHaveURL(`${app.server.url}/history`);
});
