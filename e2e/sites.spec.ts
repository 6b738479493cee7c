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
