import { expect, test } from '@playwright/test';
import { io as connect } from 'socket.io-client';
import { business, useSitescanServer } from './support';

const TOKEN = 'agency-staff-token-2026';
const app = useSitescanServer({ ACCESS_TOKEN: TOKEN, SANDBOX_SPEED: '5', SEARCH_DEADLINE_MS: '30000' });

/** Whether a Socket.IO client with these headers gets a connection. */
async function socketConnects(extraHeaders: Record<string, string>): Promise<true | string> {
  const socket = connect(app.server.url, { transports: ['websocket'], extraHeaders, reconnection: false, timeout: 5_000 });
  try {
    return await new Promise<true | string>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('connect_error', (error) => resolve(error.message));
    });
  } finally {
    socket.close();
  }
}

test('an instance behind ACCESS_TOKEN answers strangers 401 everywhere but health, sockets included', async ({ request }) => {
  const page = await request.get(app.server.url, { headers: { accept: 'text/html' } });
  expect(page.status()).toBe(401);
  expect(page.headers()['content-type']).toMatch(/^text\/html/);
  expect(await page.text()).toContain('Access token needed');

  const history = await request.get(`${app.server.url}/api/searches`);
  expect(history.status()).toBe(401);
  expect(history.headers()['www-authenticate']).toBe('Bearer realm="sitescan"');
  expect(await history.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.stringMatching(/access token/) } });
  expect((await request.post(`${app.server.url}/api/searches`, { data: { name: 'Stranger Cafe' } })).status()).toBe(401);
  expect((await request.get(`${app.server.url}/metrics`)).status()).toBe(401);
  expect((await request.get(`${app.server.url}/api/searches`, { headers: { authorization: 'Bearer agency-staff-token-2025' } })).status()).toBe(401);

  // Load balancers still see whether it is up.
  expect((await request.get(`${app.server.url}/api/health`)).status()).toBe(200);

  // Programs use the bearer header.
  const created = await request.post(`${app.server.url}/api/searches`, { data: { name: 'Scripted Cafe' }, headers: { authorization: `Bearer ${TOKEN}` } });
  expect(created.status()).toBe(201);

  expect(await socketConnects({})).not.toBe(true);
  expect(await socketConnects({ authorization: `Bearer ${TOKEN}` })).toBe(true);
});

test('the link lets a browser in once: the token moves to a cookie, leaves the address, and the live page works', async ({ page, context }) => {
  await page.goto(`${app.server.url}/?access_token=${TOKEN}`);
  await expect(page).toHaveURL(`${app.server.url}/`);
  const [cookie] = (await context.cookies()).filter((c) => c.name === 'sitescan_access');
  expect(cookie).toMatchObject({ value: TOKEN, httpOnly: true, sameSite: 'Lax', path: '/' });

  await page.getByLabel('Business name').fill(business.name);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/s\/[A-Za-z0-9_-]{22}$/);
  // Live over the socket, which the cookie let in.
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
  await expect.poll(async () => Number(await page.getByRole('progressbar', { name: 'Sites answered' }).getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(3);

  // A wrong link does not let a browser in.
  const stranger = await context.browser()!.newContext();
  try {
    const other = await stranger.newPage();
    const answer = await other.goto(`${app.server.url}/?access_token=not-the-token-000`);
    expect(answer?.status()).toBe(401);
    expect((await stranger.cookies()).some((c) => c.name === 'sitescan_access')).toBe(false);
  } finally {
    await stranger.close();
  }
});
