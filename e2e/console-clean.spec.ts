import { expect, test, type Page } from '@playwright/test';
import { business, searchEnded, startSearch, useSitescanServer } from './support';

const app = useSitescanServer();

/** What a page must not show a person who opens the browser's console. */
interface Trouble {
  readonly console: string[];
  readonly responses: string[];
}

/**
 * Records every console error or warning, uncaught page error and response of 400 or more —
 * except, for a page that is a 404 by design, the answer to its own document.
 */
function watch(page: Page): { trouble: Trouble; expectDocument404: (url: string) => void } {
  const trouble: Trouble = { console: [], responses: [] };
  const allowed = new Set<string>();
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const where = message.location().url;
    // The 404 page's own document is logged as a failed resource; only that one is allowed.
    if (allowed.has(where) && /status of 404/.test(message.text())) return;
    trouble.console.push(`${message.type()}: ${message.text()} (${where || page.url()})`);
  });
  page.on('pageerror', (error) => trouble.console.push(`uncaught: ${error.message} (${page.url()})`));
  page.on('response', (response) => {
    if (response.status() < 400) return;
    if (allowed.has(response.url()) && response.status() === 404 && response.request().resourceType() === 'document') return;
    trouble.responses.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return { trouble, expectDocument404: (url) => void allowed.add(url) };
}

/** Opens a page and waits until it has settled: rendered, live link up, prefetches done. */
async function visit(page: Page, url: string, settled: () => Promise<void>): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await settled();
  await page.waitForLoadState('networkidle');
}

test('no page logs a console error or answers a resource with 400 or more', async ({ page, request }) => {
  const { trouble, expectDocument404 } = watch(page);
  const base = app.server.url;
  const ended = await startSearch(request, base, { name: business.name, location: `${business.city}, ${business.state}`, phone: business.phone });
  await searchEnded(request, base, ended.id);
  const run = await request.post(`${base}/api/bulk?name=clients.csv`, {
    headers: { 'content-type': 'text/csv' },
    data: `name,location\n${business.name},"${business.city}, ${business.state}"\n`,
  });
  expect(run.status()).toBe(201);
  const bulk = (await run.json()) as { url: string; searches: { id: string }[] };
  for (const search of bulk.searches) await searchEnded(request, base, search.id);

  // A result page while it runs: opened the moment the search starts.
  const running = await startSearch(request, base, { name: 'Console Clean Bakery', location: 'Springfield, IL' });
  await visit(page, `${base}${running.url}`, async () => {
    await expect(page.getByRole('table', { name: 'Sites searched' })).toBeVisible();
  });
  await expect(page.getByText('Final result', { exact: true })).toBeVisible({ timeout: 30_000 });

  await visit(page, `${base}${ended.url}`, () => expect(page.getByText('Final result', { exact: true })).toBeVisible());
  await visit(page, base, () => expect(page.getByRole('list', { name: 'Recent searches' })).toBeVisible());
  await visit(page, `${base}/history`, () => expect(page.getByRole('list', { name: 'Searches' })).toBeVisible());
  await visit(page, `${base}/sites`, () => expect(page.getByText('Live', { exact: true })).toBeVisible());
  await visit(page, `${base}/bulk`, () => expect(page.getByRole('heading', { level: 1 })).toBeVisible());
  await visit(page, `${base}${bulk.url}`, () => expect(page.getByText('1 of 1 searches ended')).toBeVisible());

  // Pages that are 404 by design: only their own document may say so.
  for (const missing of [`${base}/s/${'A'.repeat(22)}`, `${base}/bulk/${'A'.repeat(22)}`, `${base}/no-such-page`]) {
    expectDocument404(missing);
    const answer = await page.goto(missing);
    expect(answer?.status(), missing).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await page.waitForLoadState('networkidle');
  }

  // Moving between pages as a person does: through the navigation, with Next's prefetches.
  await page.goto(base);
  for (const name of ['History', 'Sites', 'Bulk']) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/${name.toLowerCase()}$`));
    await page.waitForLoadState('networkidle');
  }

  expect(trouble).toEqual({ console: [], responses: [] });
});
