import { expect, test, type Page } from '@playwright/test';
import { business, expectAccessible, searchEnded, startSearch, useSitescanServer } from './support';

/** The line of the recent list that links to `name`. */
function line(page: Page, list: string, name: string) {
  return page.getByRole('list', { name: list }).getByRole('listitem').filter({ has: page.getByRole('link', { name, exact: true }) });
}

/** Every text frame the page's sockets received, as they arrive. */
function socketFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => void frames.push(String(payload))));
  return frames;
}

test.describe('a team instance (HISTORY_SCOPE=all)', () => {
  const app = useSitescanServer();

  test('a search started elsewhere appears at the top of the recent list and ends there, without a reload', async ({ page, browser }) => {
    const first = await startSearch(page.request, app.server.url, { name: 'Earlier Home Bakery' });
    await searchEnded(page.request, app.server.url, first.id);
    await page.goto(app.server.url);
    const recent = page.getByRole('list', { name: 'Recent searches' });
    await expect(recent.getByRole('link')).toHaveText(['Earlier Home Bakery']);
    let reloaded = false;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) reloaded = true;
    });

    // A colleague starts a search from another browser.
    const colleague = await browser.newContext();
    try {
      const { id } = await startSearch(colleague.request, app.server.url, {
        name: business.name,
        location: `${business.city}, ${business.state}`,
        phone: business.phone,
      });
      await expect(recent.getByRole('link')).toHaveText([business.name, 'Earlier Home Bakery']);
      await expect(recent.getByRole('link', { name: business.name })).toHaveAttribute('href', `/s/${id}`);
      const live = line(page, 'Recent searches', business.name);
      await expect(live.getByText('completed', { exact: true })).toBeVisible({ timeout: 30_000 });
      const ended = await searchEnded(colleague.request, app.server.url, id);
      const { found, partial, notFound } = ended.search.summary;
      await expect(live).toContainText(`${found} found · ${partial} possible errors · ${notFound} not found`);
      expect(reloaded, 'the page reloaded').toBe(false);
    } finally {
      await colleague.close();
    }
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await expectAccessible(page, `home with a live recent list (${colorScheme})`);
    }
  });
});

test.describe('a public instance (HISTORY_SCOPE=owner)', () => {
  const app = useSitescanServer({ HISTORY_SCOPE: 'owner' });

  test("each browser's home lists its own new searches live, and never hears of another's", async ({ page, browser }) => {
    // Ana's browser gets its history key with her first search.
    const first = await startSearch(page.request, app.server.url, { name: 'Ana First Florist' });
    await searchEnded(page.request, app.server.url, first.id);
    const frames = socketFrames(page);
    await page.goto(app.server.url);
    const recent = page.getByRole('list', { name: 'Your recent searches' });
    await expect(recent.getByRole('link')).toHaveText(['Ana First Florist']);
    await expect.poll(() => frames.length, { message: 'the socket answered' }).toBeGreaterThan(0);

    const bo = await browser.newContext();
    try {
      const boSearch = await startSearch(bo.request, app.server.url, { name: 'Bo Private Locksmith' });
      const anaSearch = await startSearch(page.request, app.server.url, { name: 'Ana Second Florist' });
      await expect(recent.getByRole('link')).toHaveText(['Ana Second Florist', 'Ana First Florist']);
      await expect(line(page, 'Your recent searches', 'Ana Second Florist').getByText('completed', { exact: true })).toBeVisible({ timeout: 30_000 });
      await searchEnded(bo.request, app.server.url, boSearch.id);
      await searchEnded(page.request, app.server.url, anaSearch.id);

      await expect(page.getByText('Bo Private Locksmith')).toHaveCount(0);
      // Not on the page, and not on the wire either: no frame carried Bo's search.
      const received = frames.join('\n');
      expect(received).toContain(anaSearch.id);
      expect(received).not.toContain(boSearch.id);
      expect(received).not.toContain('Bo Private Locksmith');
    } finally {
      await bo.close();
    }
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await expectAccessible(page, `home scoped to its owner (${colorScheme})`);
    }
  });
});
