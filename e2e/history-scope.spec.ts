import { expect, request as newRequest, test } from '@playwright/test';
import { expectAccessible, searchEnded, useSitescanServer } from './support';

// An instance open to the public: each browser sees only the searches it started.
const app = useSitescanServer({ HISTORY_SCOPE: 'owner' });

test('with HISTORY_SCOPE=owner each browser lists only its own searches; share links still open', async ({ page, browser }) => {
  // Ana starts one search through the form and one through the API, with her browser's cookies.
  await page.goto(app.server.url);
  await page.getByLabel('Business name').fill('Harbor Owner Cafe');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/s\/[A-Za-z0-9_-]{22}$/);
  const anaShared = page.url();
  const second = await page.request.post(`${app.server.url}/api/searches`, { data: { name: 'Ana Second Bakery' } });
  expect(second.status()).toBe(201);
  const anaCookies = await page.context().cookies(app.server.url);
  expect(anaCookies.find((cookie) => cookie.name === 'sitescan_key')).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

  const bo = await browser.newContext();
  try {
    const boPage = await bo.newPage();
    await boPage.goto(app.server.url);
    await boPage.getByLabel('Business name').fill('Bo Hardware Supply');
    await boPage.getByRole('button', { name: 'Search' }).click();
    await expect(boPage).toHaveURL(/\/s\/[A-Za-z0-9_-]{22}$/);

    // Each history holds its own searches only, on the history page and the home page alike.
    await page.goto(`${app.server.url}/history`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your history');
    await expect(page.getByRole('list', { name: 'Searches' }).getByRole('link')).toHaveText(['Ana Second Bakery', 'Harbor Owner Cafe']);
    await expectAccessible(page, 'history scoped to its owner');
    await page.goto(app.server.url);
    await expect(page.getByRole('list', { name: 'Your recent searches' }).getByRole('link')).toHaveText(['Ana Second Bakery', 'Harbor Owner Cafe']);

    await boPage.goto(`${app.server.url}/history`);
    await expect(boPage.getByRole('list', { name: 'Searches' }).getByRole('link')).toHaveText(['Bo Hardware Supply']);
    const boRunning = await boPage.request.get(`${app.server.url}/api/searches?status=running`);
    expect(((await boRunning.json()) as { items: { query: { name: string } }[] }).items.map((item) => item.query.name)).not.toContain('Harbor Owner Cafe');

    // The share link is read-only and needs no key: Bo opens Ana's search.
    await boPage.goto(anaShared);
    await expect(boPage.getByRole('heading', { level: 1 })).toHaveText('Harbor Owner Cafe');
    await expect(boPage.getByRole('button', { name: 'Cancel search' })).toHaveCount(0);
  } finally {
    await bo.close();
  }

  // A client with no key, or a forged one, lists nothing.
  const stranger = await newRequest.newContext();
  try {
    const none = await stranger.get(`${app.server.url}/api/searches`);
    expect(none.status()).toBe(200);
    expect(await none.json()).toStrictEqual({ items: [] });
    const forged = await stranger.get(`${app.server.url}/api/searches`, { headers: { cookie: 'sitescan_key=not-a-key' } });
    expect(await forged.json()).toStrictEqual({ items: [] });
  } finally {
    await stranger.dispose();
  }
  const id = new URL(anaShared).pathname.split('/').at(-1)!;
  await searchEnded(page.request, app.server.url, id);
});
