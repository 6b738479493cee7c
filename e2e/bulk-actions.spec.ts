import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { business, expectAccessible, getSearch, screenshot, searchEnded, useSitescanServer } from './support';

const app = useSitescanServer();

const CSV = `name,location,phone
${business.name},"${business.city}, ${business.state}",${business.phone}
,"Dallas, TX",
Corner Deli,"Portland, OR",
`;
const NAMES = [business.name, 'Corner Deli'];

/** Starts a bulk run through the API (the scene; the journeys go through the pages) and waits for its searches to end. */
async function endedRun(request: APIRequestContext): Promise<{ id: string; url: string; searchIds: string[] }> {
  const posted = await request.post(`${app.server.url}/api/bulk?name=clients.csv`, { headers: { 'content-type': 'text/csv' }, data: CSV });
  expect(posted.status(), await posted.text()).toBe(201);
  const { id, url, searches } = (await posted.json()) as { id: string; url: string; searches: { id: string }[] };
  for (const search of searches) await searchEnded(request, app.server.url, search.id);
  return { id, url, searchIds: searches.map((search) => search.id) };
}

/** What each search's results say, as `search_id site_id status outcome` lines, sorted. */
async function resultLines(request: APIRequestContext, searchIds: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const id of searchIds) {
    for (const result of (await getSearch(request, app.server.url, id)).results) lines.push(`${id} ${result.siteId} ${result.status} ${result.outcome ?? ''}`);
  }
  return lines.sort();
}

async function downloadFrom(page: Page, linkName: string): Promise<{ name: string; text: string }> {
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: linkName }).click();
  const file = await download;
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

test('the run page downloads the whole batch as CSV and JSON, whose rows agree with the searches', async ({ page, request }) => {
  const run = await endedRun(request);
  await page.goto(`${app.server.url}${run.url}`);
  await expect(page.getByText('2 of 2 searches ended')).toBeVisible();
  const expected = await resultLines(request, run.searchIds);

  const csv = await downloadFrom(page, 'Export all results (CSV)');
  expect(csv.name).toBe(`sitescan-bulk-clients-csv-${run.id}.csv`);
  const parsed = Papa.parse<Record<string, string>>(csv.text, { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  expect(parsed.data.map((row) => `${row.search_id} ${row.site_id} ${row.status} ${row.outcome}`).sort()).toEqual(expected);
  expect([...new Set(parsed.data.map((row) => row.business_name))]).toEqual(NAMES);

  const json = await downloadFrom(page, 'Export all results (JSON)');
  expect(json.name).toBe(`sitescan-bulk-clients-csv-${run.id}.json`);
  const body = JSON.parse(json.text) as { id: string; name: string; errors: { line: number }[]; rows: Record<string, string | number | boolean>[] };
  expect(body).toMatchObject({ id: run.id, name: 'clients.csv', errors: [{ line: 3 }] });
  expect(body.rows.map((row) => `${row.search_id} ${row.site_id} ${row.status} ${row.outcome}`).sort()).toEqual(expected);
});

test('run again starts the same rows as a new run, whose page opens and fills', async ({ page, request }) => {
  const run = await endedRun(request);
  await page.goto(`${app.server.url}${run.url}`);
  await expect(page.getByText('2 of 2 searches ended')).toBeVisible();

  await page.getByRole('button', { name: 'Run again' }).click();
  await expect(page).not.toHaveURL(`${app.server.url}${run.url}`);
  await expect(page).toHaveURL(/\/bulk\/[A-Za-z0-9_-]{22}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bulk run of clients.csv (again)');
  const searches = page.getByRole('table', { name: 'Searches of the bulk run' });
  await expect(searches.getByRole('link')).toHaveText(NAMES);
  await expect(page.getByText('2 of 2 searches ended')).toBeVisible({ timeout: 60_000 });
  await expect(searches.locator('tr[data-status="completed"]')).toHaveCount(2);

  // New searches of the same queries, not the first run's.
  const again = await searches.locator('tr[data-search]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-search')!));
  expect(again.filter((id) => run.searchIds.includes(id))).toEqual([]);
  for (const [i, id] of again.entries()) {
    expect((await getSearch(request, app.server.url, id)).search.query).toEqual((await getSearch(request, app.server.url, run.searchIds[i]!)).search.query);
  }
  // The first run is as it was.
  const first = (await (await request.get(`${app.server.url}/api/bulk/${run.id}`)).json()) as { searches: { id: string }[] };
  expect(first.searches.map((search) => search.id)).toEqual(run.searchIds);
});

test('history filtered by a batch lists exactly its searches, names the run with a link back, and clears', async ({ page, request }) => {
  const run = await endedRun(request);
  // Another search, in the history but not in the run.
  const other = await request.post(`${app.server.url}/api/searches`, { data: { name: 'Not In The Batch Cafe' } });
  expect(other.status()).toBe(201);

  await page.goto(`${app.server.url}${run.url}`);
  await page.getByRole('link', { name: 'Searches in history' }).click();
  await expect(page).toHaveURL(`${app.server.url}/history?bulk=${run.id}`);
  await expect(page.getByRole('heading', { level: 2, name: 'Searches of the bulk run of clients.csv' })).toBeVisible();
  const list = page.getByRole('list', { name: 'Searches of the bulk run' });
  await expect(list.getByRole('link')).toHaveText(NAMES);
  const hrefs = await list.getByRole('link').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
  expect(hrefs).toEqual(run.searchIds.map((id) => `/s/${id}`));
  await expect(page.getByText('Searches 1–2 of 2')).toBeVisible();
  await screenshot(page, 'history-bulk');

  await page.getByRole('link', { name: 'Open the bulk run' }).click();
  await expect(page).toHaveURL(`${app.server.url}${run.url}`);
  await page.goBack();
  await page.getByRole('link', { name: 'Show all searches' }).click();
  await expect(page).toHaveURL(`${app.server.url}/history`);
  await expect(page.getByRole('list', { name: 'Searches' }).getByRole('link', { name: 'Not In The Batch Cafe' })).toBeVisible();
});

test('history filtered by an unknown or malformed batch id says so, with a way back', async ({ page }) => {
  await page.goto(`${app.server.url}/history?bulk=AAAAAAAAAAAAAAAAAAAAAA`);
  const alert = page.getByRole('alert').filter({ hasText: 'bulk run' });
  await expect(alert).toContainText('There is no bulk run with id AAAAAAAAAAAAAAAAAAAAAA.');
  await expect(alert.getByRole('link', { name: 'Show all searches' })).toHaveAttribute('href', '/history');
  await page.goto(`${app.server.url}/history?bulk=%3Cb%3Enope`);
  await expect(page.getByRole('alert').filter({ hasText: 'bulk:' })).toContainText('bulk: bulk must be a bulk run id, got "<b>nope"');
  await page.goto(`${app.server.url}/history?bulk=AAAAAAAAAAAAAAAAAAAAAA&page=0`);
  await expect(page.getByRole('alert').filter({ hasText: 'page:' })).toContainText('page: page must be a whole number from 1');
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the run page with its actions and the history by batch have no serious or critical axe violation (${colorScheme})`, async ({ page, request }) => {
    const run = await endedRun(request);
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
    });
    await page.emulateMedia({ colorScheme });
    await page.goto(`${app.server.url}${run.url}`);
    await expect(page.getByText('2 of 2 searches ended')).toBeVisible();
    await expect(page.getByRole('group', { name: 'Bulk run actions' })).toBeVisible();
    await expectAccessible(page, `bulk run with actions (${colorScheme})`);
    await page.goto(`${app.server.url}/history?bulk=${run.id}`);
    await expect(page.getByRole('list', { name: 'Searches of the bulk run' }).getByRole('link')).toHaveText(NAMES);
    await expectAccessible(page, `history by batch (${colorScheme})`);
    if (colorScheme === 'dark') await screenshot(page, 'history-bulk-dark');
    expect(errors).toEqual([]);
  });
}
