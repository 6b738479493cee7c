import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SearchSnapshot } from '../../lib/types';
import { OverloadedError } from '../errors';
import { startTestSitescan, type TestSitescan } from '../test-support';

const ended = (app: TestSitescan, id: string): Promise<SearchSnapshot> => app.services.searches.whenEnded(id);

/** A one-site directory on loopback whose behaviour a test chooses. */
async function localSite(handler: (q: string, respond: (status: number, headers?: Record<string, string>) => void) => void) {
  const server: Server = createServer((req, res) => {
    const q = new URL(req.url!, 'http://x').searchParams.get('q') ?? '';
    handler(q, (status, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(status === 200 ? JSON.stringify({ hits: [{ title: q }] }) : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function sitesFile(port: number, overrides: Record<string, unknown> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sitescan-limits-'));
  const file = path.join(dir, 'sites.json');
  await writeFile(
    file,
    JSON.stringify([
      {
        id: 'local.example',
        name: 'Local',
        kind: 'json',
        search: { url: `http://127.0.0.1:${port}/find?q={name}` },
        limits: { concurrency: 2, requests: 10, perMs: 1000 },
        extract: { items: 'hits', name: 'title' },
        cacheTtlMs: 0,
        ...overrides,
      },
    ]),
  );
  return file;
}

describe('coalescing, cache, admission and fairness (sandbox, calm latencies x0.2)', () => {
  let app: TestSitescan;
  beforeAll(async () => {
    app = await startTestSitescan({ SANDBOX_SPEED: '0.2', MAX_BUFFERED_JOBS: '400' });
  });
  afterAll(async () => {
    await app.dispose();
  });

  it('makes identical in-flight requests once, then answers from the cache', async () => {
    app.sandbox!.reset();
    const query = { name: 'Coalesce Test Bakery', location: 'Austin, TX' };
    const a = await app.services.searches.create(query, { sites: ['foursquare.com'] });
    const b = await app.services.searches.create(query, { sites: ['foursquare.com'] });
    const [first, second] = await Promise.all([ended(app, a.id), ended(app, b.id)]);
    expect(app.sandbox!.stats().sites['foursquare.com']!.requests).toBe(1);
    expect(first.results[0]!.status).toBe('done');
    expect(second.results[0]).toMatchObject({ status: 'done', outcome: first.results[0]!.outcome });
    expect(second.events.find((e) => e.type === 'site:done')!.data.reason).toBe('coalesced');

    const again = await ended(app, (await app.services.searches.create(query, { sites: ['foursquare.com'] })).id);
    expect(app.sandbox!.stats().sites['foursquare.com']!.requests).toBe(1);
    expect(again.events.find((e) => e.type === 'site:done')!.data).toMatchObject({ reason: 'cache', latencyMs: 0 });
  });

  it('serves a live search ahead of a bulk batch queued before it', async () => {
    const site = 'cylex-usa.com'; // 2 at once, 5 per second: a batch queues here for seconds
    const bulk = await Promise.all(
      Array.from({ length: 60 }, async (_, i) =>
        (await app.services.searches.create({ name: `Bulk Business ${i}` }, { sites: [site], priority: 'bulk' })).id,
      ),
    );
    const started: string[] = [];
    const eventLog = (app.services.searches as unknown as { live: { onEvent(l: (id: string, e: { type: string }) => void): () => void } }).live;
    const stop = eventLog.onEvent((id, event) => {
      if (event.type === 'site:started') started.push(id);
    });
    const live = (await app.services.searches.create({ name: 'Live Business' }, { sites: [site] })).id;
    const startedBefore = started.length;
    const snapshot = await ended(app, live);
    stop();
    const bulkStartedAhead = started.indexOf(live) - startedBefore;
    // Only jobs already handed to the site's queue (≤ its concurrency) may start before it.
    expect(bulkStartedAhead).toBeLessThanOrEqual(2);
    expect(snapshot.results[0]!.status).toBe('done');
    for (const id of bulk) await app.services.pipeline.cancel(id);
  });

  it('skips a site the query cannot be asked of, without counting it against the site', async () => {
    for (let i = 0; i < 6; i++) {
      const snapshot = await ended(app, (await app.services.searches.create({ name: `No Place ${i}` }, { sites: ['overpass'] })).id);
      expect(snapshot.results[0]).toMatchObject({ status: 'skipped', error: expect.stringMatching(/needs a city or ZIP/) });
    }
    expect(app.services.pipeline.siteStats('overpass')!.circuit).toBe('closed');
  });

  it('refuses new searches with a Retry-After when the buffer is full, and keeps memory bounded', async () => {
    const created: string[] = [];
    let refused: unknown;
    try {
      for (let i = 0; i < 100; i++) created.push((await app.services.searches.create({ name: `Flood ${i}` }, { priority: 'bulk' })).id);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(OverloadedError);
    expect(refused).toMatchObject({ message: expect.stringMatching(/too many site jobs waiting \(\d+ buffered, limit 400\)/) });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(app.services.pipeline.load().bufferedJobs).toBeLessThanOrEqual(400);
    for (const id of created) await app.services.pipeline.cancel(id);
  });
});

describe('push-back from a site whose real limit is lower than configured', () => {
  let site: Awaited<ReturnType<typeof localSite>>;
  let app: TestSitescan;
  const arrivals: number[] = [];
  let refused = 0;
  beforeAll(async () => {
    // Really allows 3 per second (sliding), while its definition says 10.
    site = await localSite((_q, respond) => {
      const now = Date.now();
      while (arrivals.length > 0 && arrivals[0]! <= now - 1000) arrivals.shift();
      if (arrivals.length >= 3) {
        refused++;
        respond(429, { 'retry-after': '1' });
        return;
      }
      arrivals.push(now);
      setTimeout(() => respond(200), 10);
    });
    app = await startTestSitescan({ SANDBOX: '0', SITES_FILE: await sitesFile(site.port), BULK_DEADLINE_MS: '30000' });
  });
  afterAll(async () => {
    await app.dispose();
    site.server.close();
  });

  it('slows down to what the site takes and still finishes every job', async () => {
    const ids = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => (await app.services.searches.create({ name: `Slow ${i}` }, { priority: 'bulk' })).id),
    );
    const snapshots = await Promise.all(ids.map((id) => ended(app, id)));
    expect(snapshots.map((s) => s.results[0]!.status)).toEqual(Array(12).fill('done'));
    const stats = app.services.pipeline.siteStats('local.example')!;
    expect(stats.adaptiveLimitPerSec).toBeLessThan(10);
    // A handful of 429s teach it the limit; it does not keep hammering.
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(8);
  });
});

describe('circuit breaker', () => {
  let site: Awaited<ReturnType<typeof localSite>>;
  let app: TestSitescan;
  let requests = 0;
  beforeAll(async () => {
    site = await localSite((_q, respond) => {
      requests++;
      respond(500);
    });
    app = await startTestSitescan({ SANDBOX: '0', SITES_FILE: await sitesFile(site.port, { retries: 0 }) });
  });
  afterEach(() => undefined);
  afterAll(async () => {
    await app.dispose();
    site.server.close();
  });

  it('skips a failing site fast once its circuit opens, and shows it in the site stats', async () => {
    for (let i = 0; i < 6; i++) await ended(app, (await app.services.searches.create({ name: `Broken ${i}` })).id);
    const seen = requests;
    expect(app.services.pipeline.siteStats('local.example')!.circuit).toBe('open');
    const started = Date.now();
    const skipped = await ended(app, (await app.services.searches.create({ name: 'After open' })).id);
    expect(Date.now() - started).toBeLessThan(200);
    expect(skipped.results[0]).toMatchObject({ status: 'skipped', error: 'circuit open' });
    expect(requests).toBe(seen);
    const info = app.services.pipeline.sites().find((s) => s.id === 'local.example')!;
    expect(info.stats).toMatchObject({ circuit: 'open', lastError: { message: expect.stringMatching(/500/) } });
  });
});

describe('a 429 answered to coalesced jobs', () => {
  let site: Awaited<ReturnType<typeof localSite>>;
  let app: TestSitescan;
  let requests = 0;
  beforeAll(async () => {
    site = await localSite((_q, respond) => {
      requests++;
      // Slow enough that the second identical job rides on the first request.
      setTimeout(() => respond(429, { 'retry-after': '60' }), 50);
    });
    app = await startTestSitescan({ SANDBOX: '0', SITES_FILE: await sitesFile(site.port, { retries: 0 }) });
  });
  afterAll(async () => {
    await app.dispose();
    site.server.close();
  });

  it('slows the site once and counts one attempt, however many jobs shared the request', async () => {
    const query = { name: 'Shared Push Back' };
    const ids = await Promise.all([0, 1, 2].map(async () => (await app.services.searches.create(query, { sites: ['local.example'] })).id));
    await Promise.all(ids.map((id) => ended(app, id)));
    expect(requests).toBe(1);
    const stats = app.services.pipeline.siteStats('local.example')!;
    expect(stats.adaptiveLimitPerSec).toBe(5);
    expect(stats.attempts).toBe(1);
  });
});

describe('a site that says its quota is spent (RateLimit-Remaining: 0)', () => {
  let site: Awaited<ReturnType<typeof localSite>>;
  let app: TestSitescan;
  let requests = 0;
  let resetSeconds = 3600;
  beforeAll(async () => {
    site = await localSite((_q, respond) => {
      requests++;
      respond(200, { 'ratelimit-remaining': '0', 'ratelimit-reset': String(resetSeconds) });
    });
    app = await startTestSitescan({ SANDBOX: '0', SITES_FILE: await sitesFile(site.port), SEARCH_DEADLINE_MS: '3000' });
  });
  afterAll(async () => {
    await app.dispose();
    site.server.close();
  });

  it('keeps an answer whose window frees within the site’s own limit window, and stays at full speed', async () => {
    resetSeconds = 1; // within perMs (1000): the send window keeps that anyway
    const first = await ended(app, (await app.services.searches.create({ name: 'Window One' }, { sites: ['local.example'] })).id);
    expect(first.results[0]!.status).toBe('done');
    expect(app.services.pipeline.siteStats('local.example')!.pausedUntil).toBeUndefined();
  });

  it('leaves the site alone until the quota resets, failing later jobs at once instead of at their deadline', async () => {
    resetSeconds = 3600;
    const spent = await ended(app, (await app.services.searches.create({ name: 'Quota Spender' }, { sites: ['local.example'] })).id);
    expect(spent.results[0]!.status).toBe('done');
    const seen = requests;
    const pausedUntil = app.services.pipeline.siteStats('local.example')!.pausedUntil!;
    expect(pausedUntil - Date.now()).toBeGreaterThan(3_500_000);

    const started = Date.now();
    const later = await ended(app, (await app.services.searches.create({ name: 'After The Quota' }, { sites: ['local.example'] })).id);
    expect(Date.now() - started).toBeLessThan(500);
    expect(later.results[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/^rate limited: the site asked to wait until \d{4}-/) });
    expect(requests).toBe(seen);
  });
});
