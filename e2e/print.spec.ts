import { expect, test } from '@playwright/test';
import { business, screenshot, searchEnded, startSearch, useSitescanServer } from './support';

const app = useSitescanServer();

test('printed, a result is a report: its business and date, the summary and the sites that need attention first; no navigation, actions or log', async ({ page, request }) => {
  const { id, url } = await startSearch(request, app.server.url, { name: business.name, location: `${business.city}, ${business.state}`, phone: business.phone });
  const ended = await searchEnded(request, app.server.url, id);
  await page.goto(`${app.server.url}${url}`);
  await expect(page.getByText('Final result', { exact: true })).toBeVisible();

  // On screen: navigation, actions and the log; no report line.
  const reportLine = page.getByText(/^sitescan report · searched \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(reportLine).toBeHidden();

  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expect(page.getByRole('group', { name: 'Search actions' })).toBeHidden();
  await expect(page.getByRole('group', { name: 'Show sites' })).toBeHidden();
  await expect(page.getByRole('heading', { name: /^Event log/ })).toBeHidden();
  await expect(reportLine).toBeVisible();
  await expect(reportLine.locator('time')).toHaveAttribute('datetime', new Date(ended.search.createdAt).toISOString());
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(business.name);
  const rows = page.getByRole('table', { name: 'Sites searched' }).locator('tbody tr');
  await expect(rows).toHaveCount(ended.results.length);
  // The attention list leads: the first row is not a clean find (this business has some).
  expect(ended.results.some((result) => result.outcome !== 'found')).toBe(true);
  expect(await rows.first().getAttribute('data-outcome')).not.toBe('found');
  await screenshot(page, 'search-print');

  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pdf.byteLength).toBeGreaterThan(20_000);
});

test('printed, a bulk run is a report too: its title, progress and searches; no navigation or buttons', async ({ page, request }) => {
  const posted = await request.post(`${app.server.url}/api/bulk?name=clients.csv`, {
    headers: { 'content-type': 'text/csv' },
    data: `name,location\n${business.name},"${business.city}, ${business.state}"\n`,
  });
  expect(posted.status()).toBe(201);
  const { url, searches } = (await posted.json()) as { url: string; searches: { id: string }[] };
  for (const search of searches) await searchEnded(request, app.server.url, search.id);
  await page.goto(`${app.server.url}${url}`);
  await expect(page.getByText('1 of 1 searches ended')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Bulk run actions' })).toBeVisible();

  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bulk run of clients.csv');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expect(page.getByRole('link', { name: 'Start another bulk scan' })).toBeHidden();
  // On screen the run's actions are there; on paper they are not.
  await expect(page.getByRole('group', { name: 'Bulk run actions' })).toBeHidden();
  await expect(page.getByRole('table', { name: 'Searches of the bulk run' }).getByRole('link')).toHaveText([business.name]);
  await expect(page.getByRole('table', { name: /^Coverage of the bulk run/ })).toBeVisible();
  await screenshot(page, 'bulk-run-print');
});
