import { request as httpRequest } from 'node:http';
import { expect, test } from '@playwright/test';
import { business, useSitescanServer } from './support';

// Searches long enough to still run when they are cancelled; a dispatcher small enough that one
// client's share (0.25 × 1,000 site jobs) is reached in a few searches; 5 bulk rows an hour; one
// trusted proxy at 127.0.0.5. Clients are loopback addresses: 127.0.0.2, .3 … are different machines.
const app = useSitescanServer({
  SANDBOX_SPEED: '15',
  SEARCH_DEADLINE_MS: '90000',
  BULK_DEADLINE_MS: '90000',
  MAX_BUFFERED_JOBS: '1000',
  CLIENT_BUFFER_SHARE: '0.25',
  BULK_ROWS_PER_HOUR: '5',
  TRUST_PROXY: '127.0.0.5',
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
}

/** One HTTP request from a chosen client address, headers sent exactly as given. */
function call(from: string, method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const { port } = new URL(app.server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, localAddress: from, headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = { 'content-type': 'application/json' };
const create = (from: string, name: string, headers: Record<string, string> = {}) =>
  call(from, 'POST', '/api/searches', { headers: { ...json, ...headers }, body: JSON.stringify({ name }) });
const cancel = (from: string, id: string, headers: Record<string, string> = {}) => call(from, 'POST', `/api/searches/${id}/cancel`, { headers });
const statusOf = async (id: string) => ((await call('127.0.0.1', 'GET', `/api/searches/${id}`)).body as { search: { status: string } }).search.status;

test('only the client holding a search\'s capability cancels it; the share link stays read-only', async () => {
  const created = await create('127.0.0.2', 'Owned Bakery');
  expect(created.status).toBe(201);
  const { id, cancelToken } = created.body as { id: string; cancelToken: string };
  expect(cancelToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const cookies = created.headers['set-cookie'] as string[];
  expect(cookies).toEqual([
    expect.stringMatching(new RegExp(`^sitescan_owner=${cancelToken}; Path=/s/${id}; HttpOnly; SameSite=Lax; Max-Age=\\d+$`)),
    expect.stringMatching(new RegExp(`^sitescan_owner=${cancelToken}; Path=/api/searches/${id}; HttpOnly; SameSite=Lax`)),
    // A client that had no history key gets one (server/http/history-key.ts).
    expect.stringMatching(/^sitescan_key=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=34560000$/),
  ]);

  // Another machine reads it, but may not cancel it: not without the token, not with a wrong one.
  expect((await call('127.0.0.9', 'GET', `/api/searches/${id}`)).status).toBe(200);
  const refused = await cancel('127.0.0.9', id);
  expect(refused.status).toBe(403);
  expect(refused.body.error).toMatchObject({ code: 'not_owner', message: expect.stringMatching(/X-Cancel-Token/) });
  expect((await cancel('127.0.0.9', id, { 'x-cancel-token': `${cancelToken.slice(0, -1)}${cancelToken.endsWith('A') ? 'B' : 'A'}` })).status).toBe(403);
  expect((await cancel('127.0.0.9', id, { cookie: 'sitescan_owner=forged' })).status).toBe(403);
  expect(await statusOf(id)).toBe('running');
  // The history lists the id to everyone; the id alone gives no power.
  expect(JSON.stringify((await call('127.0.0.9', 'GET', '/api/searches?q=owned')).body)).not.toContain(cancelToken);

  // With the token, from anywhere.
  expect((await cancel('127.0.0.9', id, { 'x-cancel-token': cancelToken })).status).toBe(202);
  await expect.poll(() => statusOf(id)).toBe('cancelled');

  // An API client that sends nothing is still the owner from the address that created the search.
  const second = (await create('127.0.0.2', 'Owned Bakery Again')).body as { id: string };
  expect((await cancel('127.0.0.2', second.id)).status).toBe(202);
});

test('a page on another site cannot start or cancel a search through the visitor\'s browser', async () => {
  const { id, cancelToken } = (await create('127.0.0.3', 'Forged Form Cafe')).body as { id: string; cancelToken: string };
  const owner = { cookie: `sitescan_owner=${cancelToken}` };
  // A plain HTML form posted from evil.example: the browser adds its Origin and Sec-Fetch-Site.
  const form = await cancel('127.0.0.3', id, { ...owner, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' });
  expect(form.status).toBe(403);
  expect(form.body.error).toMatchObject({ code: 'cross_site', message: expect.stringMatching(/evil\.example/) });
  expect((await cancel('127.0.0.3', id, { ...owner, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  expect((await cancel('127.0.0.3', id, { ...owner, origin: 'null' })).status).toBe(403);
  expect((await create('127.0.0.3', 'Started Elsewhere', { origin: 'http://evil.example' })).status).toBe(403);
  // A form body is refused even from the instance's own origin: the API takes JSON only.
  const sameOrigin = { origin: app.server.url, 'sec-fetch-site': 'same-origin' };
  expect((await cancel('127.0.0.3', id, { ...owner, ...sameOrigin, 'content-type': 'text/plain' })).status).toBe(400);
  expect(await statusOf(id)).toBe('running');
  expect((await cancel('127.0.0.3', id, { ...owner, ...sameOrigin })).status).toBe(202);
});

test('bulk rows count against a quota of their own, and past it the run is a 429', async () => {
  const csv = ['name', ...Array.from({ length: 7 }, (_, i) => `Bulk Quota Shop ${i + 1}`)].join('\n');
  const first = await call('127.0.0.4', 'POST', '/api/bulk', { headers: { 'content-type': 'text/csv' }, body: csv });
  expect(first.status).toBe(201);
  const { searches, errors } = first.body as { searches: { id: string; cancelToken: string }[]; errors: { line: number; message: string }[] };
  expect(searches).toHaveLength(5);
  expect(errors).toEqual([7, 8].map((line) => ({ line, message: expect.stringMatching(/too many bulk rows from this client \(limit 5 per hour\)/) })));

  const second = await call('127.0.0.4', 'POST', '/api/bulk', { headers: { 'content-type': 'text/csv' }, body: 'name\nOne More Shop' });
  expect(second.status).toBe(429);
  expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
  expect(second.body.error).toMatchObject({ code: 'overloaded', details: [{ line: 2, message: expect.stringMatching(/bulk rows/) }] });
  // Another client's bulk run is not affected.
  expect((await call('127.0.0.6', 'POST', '/api/bulk', { headers: { 'content-type': 'text/csv' }, body: 'name\nOther Client Shop' })).status).toBe(201);

  for (const search of searches) expect((await cancel('127.0.0.4', search.id, { 'x-cancel-token': search.cancelToken })).status).toBe(202);
});

test('one client cannot hold more than its share of the dispatcher; others still get in', async () => {
  const started: { id: string; cancelToken: string }[] = [];
  let refused: Answer | undefined;
  for (let i = 0; i < 20 && !refused; i++) {
    const answer = await create('127.0.0.7', `Share Hog ${i}`);
    if (answer.status === 201) started.push(answer.body as { id: string; cancelToken: string });
    else refused = answer;
  }
  // 250 site jobs (0.25 × 1,000), a search of every site is ~41: the share holds a handful.
  expect(started.length).toBeGreaterThanOrEqual(5);
  expect(started.length).toBeLessThanOrEqual(8);
  expect(refused?.status).toBe(429);
  expect(refused?.body.error?.message).toMatch(/share of the dispatcher is 250/);
  expect((await create('127.0.0.8', 'Polite Neighbour')).status).toBe(201);

  // Once its searches have ended, the client may start again.
  for (const search of started) await cancel('127.0.0.7', search.id, { 'x-cancel-token': search.cancelToken });
  await expect.poll(async () => (await create('127.0.0.7', 'Share Hog Returns')).status).toBe(201);
});

test('behind a trusted proxy the forwarded address is the client; a forged header from anyone else counts for nothing', async () => {
  const viaProxy = (await create('127.0.0.5', 'Proxied Diner', { 'x-forwarded-for': '198.51.100.7' })).body as { id: string };
  // Another user behind the same proxy is another client …
  expect((await cancel('127.0.0.5', viaProxy.id, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(403);
  // … and the same user through it is the owner's address.
  expect((await cancel('127.0.0.5', viaProxy.id, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(202);

  // A direct client claiming to be someone else is still itself.
  const direct = (await create('127.0.0.9', 'Direct Diner', { 'x-forwarded-for': '198.51.100.7' })).body as { id: string; cancelToken: string };
  expect((await cancel('127.0.0.10', direct.id, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(403);
  expect((await cancel('127.0.0.9', direct.id)).status).toBe(202);
});

test('the result page offers Cancel to the browser that started the search, not to those it is shared with', async ({ page, browser }) => {
  await page.goto(app.server.url);
  await page.getByLabel('Business name').fill(business.name);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/s\/[A-Za-z0-9_-]{22}$/);
  await expect(page.getByRole('button', { name: 'Cancel search' })).toBeVisible();

  const colleague = await browser.newContext();
  try {
    const shared = await colleague.newPage();
    await shared.goto(page.url());
    await expect(shared.getByRole('heading', { level: 1 })).toHaveText(business.name);
    await expect(shared.locator('header').getByText('running', { exact: true })).toBeVisible();
    await expect(shared.getByRole('button', { name: 'Copy share link' })).toBeVisible();
    await expect(shared.getByRole('button', { name: 'Cancel search' })).toHaveCount(0);
  } finally {
    await colleague.close();
  }

  await page.getByRole('button', { name: 'Cancel search' }).click();
  await expect(page.getByRole('list', { name: 'Events' }).getByText('search:cancelled', { exact: true })).toBeVisible();
});
