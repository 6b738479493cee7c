import { expect, test } from '@playwright/test';
import { business, screenshot, searchEnded, startSearch, useSitescanServer } from './support';

const app = useSitescanServer();

const RANK: Record<string, number> = { partial: 0, not_found: 1, failed: 2, other: 3, found: 4 };
const rankOf = (status: string, outcome: string | null) => (status === 'done' ? RANK[outcome ?? 'not_found']! : status === 'failed' ? RANK.failed! : RANK.other!);

test('an ended result opens with what needs attention first, and the chips show one view with its count', async ({ page, request }) => {
  const { id, url } = await startSearch(request, app.server.url, { name: business.name, location: `${business.city}, ${business.state}`, phone: business.phone });
  const ended = await searchEnded(request, app.server.url, id);
  await page.goto(`${app.server.url}${url}`);
  const rows = page.getByRole('table', { name: 'Sites searched' }).locator('tbody tr');
  const read = () => rows.evaluateAll((all) => all.map((row) => [row.getAttribute('data-site')!, row.getAttribute('data-status')!, row.getAttribute('data-outcome')] as const));

  // Possible errors, then not found, then failed, then anything else, found last.
  await expect(page.getByLabel('Needs attention first')).toBeChecked();
  const ordered = await read();
  expect(ordered).toHaveLength(ended.results.length);
  const ranks = ordered.map(([, status, outcome]) => rankOf(status, outcome));
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  expect(ranks.at(-1)).toBe(RANK.found);

  // Each chip shows its view, with the count it announced.
  const found = ended.results.filter((result) => result.status === 'done' && result.outcome === 'found').length;
  const foundChip = page.getByRole('button', { name: `Found (${found})` });
  await foundChip.click();
  await expect(foundChip).toHaveAttribute('aria-pressed', 'true');
  await expect(rows).toHaveCount(found);
  for (const [, , outcome] of await read()) expect(outcome).toBe('found');

  const attention = ended.results.length - found - ended.results.filter((result) => result.status === 'skipped' || result.status === 'cancelled').length;
  await page.getByRole('button', { name: `Needs attention (${attention})` }).click();
  await expect(rows).toHaveCount(attention);
  await screenshot(page, 'search-needs-attention');

  // Unticked: the sites' own order, as the API lists them.
  await page.getByRole('button', { name: /^All/ }).click();
  await page.getByLabel('Needs attention first').uncheck();
  expect((await read()).map(([site]) => site)).toEqual(ended.results.map((result) => result.siteId));
});
