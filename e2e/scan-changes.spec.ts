import Papa from 'papaparse';
import { expect, test, type Page } from '@playwright/test';
import { changeClauses, compareScans, previousSiteResults } from '../lib/scan-changes';
import type { SearchSnapshot } from '../lib/types';
import { business, expectAccessible, screenshot, searchEnded, startSearch, useSitescanServer } from './support';

/**
 * A business scanned again shows what changed since its last scan. The sandbox's world is its
 * seed: the same business scanned in world 1, then in world 2 (where it is not the business the
 * sites list), then in world 1 again, loses listings and then gets them back.
 */
const app = useSitescanServer({ SANDBOX_SEED: '1' });

// A phone the listings do not show: every listing found has a mismatch to mark.
const query = { name: business.name, location: `${business.city}, ${business.state}`, phone: '+1 512 555 0199' };

async function scan(request: Parameters<typeof startSearch>[0]): Promise<SearchSnapshot> {
  const { id } = await startSearch(request, app.server.url, query);
  return searchEnded(request, app.server.url, id, 60_000);
}

async function rowChanges(page: Page): Promise<Record<string, string | null>> {
  const rows = page.getByRole('table', { name: 'Sites searched' }).locator('tbody tr');
  return Object.fromEntries(await rows.evaluateAll((all) => all.map((row) => [row.getAttribute('data-site')!, row.getAttribute('data-change')] as const)));
}

test('a second scan of the same business shows what changed since the first, on the page and in the export', async ({ page, request }) => {
  test.setTimeout(240_000);
  const first = await scan(request);
  const firstPage = await page.goto(`${app.server.url}/s/${first.search.id}`);
  expect(firstPage?.status()).toBe(200);
  // Nothing to compare with yet.
  await expect(page.getByTestId('scan-changes')).toHaveCount(0);

  await app.restart({ SANDBOX_SEED: '2' });
  const second = await scan(request);
  await app.restart({ SANDBOX_SEED: '1' });
  const third = await scan(request);

  for (const [previous, current] of [
    [first, second],
    [second, third],
  ] as const) {
    const expected = compareScans(previousSiteResults(previous.results), current.results);
    await page.goto(`${app.server.url}/s/${current.search.id}`);
    const line = page.getByTestId('scan-changes');
    await expect(line).toContainText(`Since the last scan, ${new Date(previous.search.createdAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    await expect(line).toContainText(changeClauses(expected.counts).join(', '));
    await expect(line.getByRole('link', { name: 'See that scan' })).toHaveAttribute('href', `/s/${previous.search.id}`);
    expect(await rowChanges(page)).toStrictEqual(Object.fromEntries([...expected.bySite].map(([site, change]) => [site, change.change])));
    expect(expected.counts.lost + expected.counts.new).toBeGreaterThan(0);
  }

  // Back in world 1: listings came back, each marked as new with an up arrow and words.
  const back = page.locator('tbody tr[data-change="new"]');
  await expect(back.first()).toContainText('New listing, was not found');

  // A mismatch shows what the user gave, the differing part marked.
  const phone = page.locator('[data-field="phone"][data-verdict="mismatch"]').first();
  await expect(phone.locator('[data-part="expected"]')).toContainText('expected +1 512 555 0199');
  await expect(phone.locator('[data-part="expected"] mark')).not.toHaveCount(0);

  // The export says the same, site by site.
  const csv = await request.get(`${app.server.url}/api/searches/${third.search.id}/export?format=csv`);
  const rows = Papa.parse<Record<string, string>>(await csv.text(), { header: true, skipEmptyLines: true }).data;
  expect(Object.fromEntries(rows.map((row) => [row.site_id, row.change_since_previous]))).toStrictEqual(await rowChanges(page));
  expect(new Set(rows.map((row) => row.previous_search_id))).toStrictEqual(new Set([second.search.id]));
  const json = (await (await request.get(`${app.server.url}/api/searches/${third.search.id}/export?format=json`)).json()) as {
    sinceLastScan: { previous: { id: string }; counts: Record<string, number> };
  };
  expect(json.sinceLastScan.previous.id).toBe(second.search.id);
  expect(json.sinceLastScan.counts.new).toBe(rows.filter((row) => row.change_since_previous === 'new').length);

  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await expectAccessible(page, `search with changes (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, 'search-changes');
});

test('the summary counts filter the sites table, and clicking again shows every site', async ({ page, request }) => {
  const ended = await scan(request);
  await page.goto(`${app.server.url}/s/${ended.search.id}`);
  const rows = page.getByRole('table', { name: 'Sites searched' }).locator('tbody tr');
  const partial = ended.results.filter((result) => result.status === 'done' && result.outcome === 'partial').length;
  expect(partial).toBeGreaterThan(0);

  // The summary's four outcome counts are buttons: found, possible errors, not found, failed.
  const counts = page.getByRole('list', { name: 'Summary' }).or(page.locator('dl[aria-label="Summary"]')).getByRole('button');
  await expect(counts).toHaveCount(4);
  const count = counts.nth(1);
  await expect(count).toHaveAccessibleName(`${partial} — show only these sites`);
  await count.click();
  await expect(count).toHaveAttribute('aria-pressed', 'true');
  await expect(rows).toHaveCount(partial);
  for (const outcome of await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-outcome')))) expect(outcome).toBe('partial');
  // The chip of the same view is pressed too: one view, two ways to choose it.
  await expect(page.getByRole('button', { name: `Possible errors (${partial})` })).toHaveAttribute('aria-pressed', 'true');

  await expect(count).toHaveAccessibleName(`${partial} — showing only these sites; show all`);
  await count.click();
  await expect(count).toHaveAttribute('aria-pressed', 'false');
  await expect(rows).toHaveCount(ended.results.length);
});
