import { expect, test } from '@playwright/test';
import { business, getSearch, logSeqs, screenshot, searchEnded, useSitescanServer } from './support';

// Slow sites and a long deadline, so that events keep coming while the page is offline.
const app = useSitescanServer({ SANDBOX_SPEED: '6', SEARCH_DEADLINE_MS: '30000' });

test('a dropped connection says so, reconnects and catches up by seq, nothing missed or doubled', async ({ page, context, request }) => {
  await page.goto(app.server.url);
  await page.getByLabel('Business name').fill(business.name);
  await page.getByLabel('Location').fill(`${business.city}, ${business.state}`);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/s\/[A-Za-z0-9_-]{22}$/);
  const id = page.url().split('/').at(-1)!;
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
  const heading = page.getByRole('heading', { name: /^Event log \(\d+\)$/ });
  const shown = async () => Number((await heading.textContent())!.match(/\((\d+)\)/)![1]);
  await expect.poll(shown).toBeGreaterThan(5);

  await context.setOffline(true);
  await expect(page.getByText('Offline — reconnecting…')).toBeVisible();
  const atDrop = await shown();
  // The search goes on without the page: wait until it has moved well past what the page has.
  await expect.poll(async () => (await getSearch(request, app.server.url, id)).events.length, { timeout: 20_000 }).toBeGreaterThan(atDrop + 5);
  expect(await shown()).toBe(atDrop);
  await screenshot(page, 'search-offline');

  await context.setOffline(false);
  await expect(page.getByText('Live', { exact: true }).or(page.getByText('Final result', { exact: true }))).toBeVisible();
  await expect.poll(shown).toBeGreaterThan(atDrop + 5);

  const final = await searchEnded(request, app.server.url, id);
  await expect(page.getByRole('list', { name: 'Events' }).getByText('search:completed', { exact: true })).toBeVisible();
  await expect(heading).toHaveText(`Event log (${final.events.length})`);
  expect(await logSeqs(page)).toEqual(final.events.map((event) => event.seq));
  const statuses = Object.fromEntries(final.results.map((result) => [result.siteId, result.status]));
  for (const [siteId, status] of Object.entries(statuses)) {
    await expect(page.locator(`tr[data-site="${siteId}"]`)).toHaveAttribute('data-status', status);
  }
});
