import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import { expect, test } from '@playwright/test';
import { business, screenshot, useSitescanServer } from './support';

const app = useSitescanServer();

// The last row is a business most sandbox sites list, so the coverage matrix has found cells.
const CSV = `name,location,phone
Blue Door Bakery,"Austin, TX",(512) 555-0134
,"Dallas, TX",
Corner Deli,"Portland, OR",
${business.name},"${business.city}, ${business.state}",${business.phone}
`;
const NAMES = ['Blue Door Bakery', 'Corner Deli', business.name];

test('upload a CSV with a bad row: the run gets its own page, the bad row is reported by line, the others run, and all results export', async ({ page, request }) => {
  const { sites } = (await (await request.get(`${app.server.url}/api/sites`)).json()) as { sites: unknown[] };
  await page.goto(`${app.server.url}/bulk`);
  await page.getByLabel('CSV file').setInputFiles({ name: 'businesses.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await page.getByRole('button', { name: 'Start bulk scan' }).click();

  await expect(page).toHaveURL(/\/bulk\/[A-Za-z0-9_-]{22}$/);
  const runUrl = page.url();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bulk run of businesses.csv');

  await expect(page.getByRole('alert').filter({ hasText: 'not started' })).toHaveText('1 row was not started');
  const notStarted = page.getByRole('table', { name: 'Rows not started' });
  await expect(notStarted.getByRole('row').nth(1)).toHaveText(/^3\s*name: name is required$/);

  const searches = page.getByRole('table', { name: 'Searches of the bulk run' });
  await expect(searches.getByRole('link')).toHaveText(NAMES);
  const progress = page.getByRole('progressbar', { name: 'Bulk progress' });
  await expect(progress).toBeVisible();
  await expect(page.getByText('3 of 3 searches ended')).toBeVisible({ timeout: 60_000 });
  const max = await progress.getAttribute('aria-valuemax');
  expect(Number(max)).toBe(3 * sites.length);
  await expect(progress).toHaveAttribute('aria-valuenow', max!);
  await expect(searches.locator('tr[data-status="completed"]')).toHaveCount(3);

  // The coverage matrix: one cell per business and site, each what that search's result says.
  const matrix = page.getByRole('table', { name: /^Coverage of the bulk run/ });
  const shown = await matrix.locator('tbody td[data-site]').evaluateAll((cells) =>
    cells.map((cell) => `${cell.closest('tr')!.getAttribute('data-search')} ${cell.getAttribute('data-site')} ${cell.getAttribute('data-cell')}`),
  );
  const expected: string[] = [];
  for (const id of await searches.locator('tr[data-search]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-search')!))) {
    const { results } = (await (await request.get(`${app.server.url}/api/searches/${id}`)).json()) as {
      results: { siteId: string; status: string; outcome?: string }[];
    };
    for (const result of results) {
      expected.push(`${id} ${result.siteId} ${result.status === 'done' ? result.outcome : result.status}`);
    }
  }
  expect(shown.sort()).toEqual(expected.sort());
  expect(await matrix.locator('thead th[scope="col"]').count()).toBe(1 + sites.length);
  await expect(matrix.getByRole('row', { name: /^Listed on/ })).toBeVisible();
  await screenshot(page, 'bulk');
  await screenshot(page, 'readme-bulk-run');

  // The same run as JSON, through the real server's edge.
  const answer = await request.get(`${app.server.url}/api${new URL(runUrl).pathname}`);
  expect(answer.status()).toBe(200);
  const run = (await answer.json()) as { status: string; name: string; searches: { line: number; status: string }[]; errors: { line: number }[] };
  expect(run).toMatchObject({ status: 'completed', name: 'businesses.csv', errors: [{ line: 3 }] });
  expect(run.searches.map((search) => [search.line, search.status])).toEqual([[2, 'completed'], [4, 'completed'], [5, 'completed']]);

  // The link is the run: reloaded (or opened by anyone it was shared with), the same run, ended.
  await page.reload();
  await expect(page).toHaveURL(runUrl);
  await expect(searches.getByRole('link')).toHaveText(NAMES);
  await expect(page.getByText('3 of 3 searches ended')).toBeVisible();
  await expect(searches.locator('tr[data-status="completed"]')).toHaveCount(3);
  await expect(notStarted.getByRole('row').nth(1)).toHaveText(/^3\s*name: name is required$/);

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export all results (CSV)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`sitescan-bulk-businesses-csv-${new URL(runUrl).pathname.split('/').pop()}.csv`);
  const [header, ...rows] = Papa.parse<string[]>(await readFile(await file.path(), 'utf8'), { skipEmptyLines: true }).data;
  expect(rows).toHaveLength(3 * sites.length);
  expect(new Set(rows.map((row) => row[header!.indexOf('business_name')]))).toEqual(new Set(NAMES));

  await searches.getByRole('link', { name: 'Corner Deli' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Corner Deli');
  await expect(page.getByText('Portland, OR · bulk')).toBeVisible();
});

test('a file without a name column is refused as a whole, saying why', async ({ page }) => {
  await page.goto(`${app.server.url}/bulk`);
  await page.getByLabel('CSV file').setInputFiles({ name: 'wrong.csv', mimeType: 'text/csv', buffer: Buffer.from('business,city\nA,B\n') });
  await page.getByRole('button', { name: 'Start bulk scan' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'wrong.csv' })).toContainText('wrong.csv was not started: the header row has no "name" column');
});
