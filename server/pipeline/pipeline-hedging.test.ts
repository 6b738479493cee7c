/**
 * Hedging end to end, over real HTTP: a directory on loopback with a heavy tail (log-normal
 * latencies) that hangs on every 12th request, searched by two sitescans — hedging off, then on.
 * The site keeps its own books (the sandbox's limiter, no tolerance): it must never see more
 * than its limits, hedges included.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchSnapshot } from '../../lib/types';
import { createRng } from '../sandbox/rng';
import { TIMEOUT_FLOOR_MS } from './hedge-policy';
import { SiteLimiter } from '../sandbox/limiter';
import { startTestSitescan } from '../test-support';

const LIMITS = { concurrency: 4, requests: 40, perMs: 1000 };
const TIMEOUT_MS = 1_500;
const HANG_EVERY = 12;
const MEASURED = 32;

/** The heavy-tailed site: median 60 ms, sigma 0.6; the 12th, 24th … request never answers. */
async function heavyTailedSite() {
  const limiter = new SiteLimiter({ ...LIMITS, toleranceMs: 0 });
  const rng = createRng('pipeline-hedging');
  const hung = new Set<ServerResponse>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const q = new URL(req.url!, 'http://x').searchParams.get('q') ?? '';
    const admission = limiter.admit();
    if (!admission.admitted) {
      res.writeHead(429, { 'retry-after': '1' }).end();
      return;
    }
    requests++;
    if (requests % HANG_EVERY === 0) {
      // The server has dropped it: only the client still waits (as the sandbox's hang fault).
      admission.release();
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    const delayMs = Math.min(3_000, 60 * Math.exp(0.6 * rng.normal()));
    setTimeout(() => {
      admission.release();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hits: [{ title: q }] }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stats: () => ({ ...limiter.stats(), received: requests }),
    reset: () => {
      limiter.reset();
      requests = 0;
    },
    close: () => {
      for (const res of hung) res.destroy();
      server.close();
    },
  };
}

async function sitesFile(port: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sitescan-hedging-'));
  const file = path.join(dir, 'sites.json');
  const site = {
    id: 'tail.example',
    name: 'Heavy tail',
    kind: 'json',
    search: { url: `http://127.0.0.1:${port}/find?q={name}` },
    limits: LIMITS,
    timeoutMs: TIMEOUT_MS,
    retries: 2,
    cacheTtlMs: 0,
    extract: { items: 'hits', name: 'title' },
  };
  await writeFile(file, JSON.stringify([site]));
  return file;
}

/** Runs `count` one-site searches, four at a time, after `warmUp` that are not returned. */
async function searchMany(hedging: 'on' | 'off', port: number, count: number, warmUp: number) {
  const app = await startTestSitescan({ SANDBOX: '0', SITES_FILE: await sitesFile(port), HEDGING: hedging });
  try {
    const run = async (prefix: string, n: number): Promise<SearchSnapshot[]> => {
      const snapshots: SearchSnapshot[] = [];
      for (let i = 0; i < n; i += 4) {
        const batch = Array.from({ length: Math.min(4, n - i) }, (_, k) => `${prefix} ${hedging} ${i + k}`);
        const ids = await Promise.all(batch.map(async (name) => (await app.services.searches.create({ name })).id));
        snapshots.push(...(await Promise.all(ids.map((id) => app.services.searches.whenEnded(id)))));
      }
      return snapshots;
    };
    await run('Warm-up', warmUp);
    const snapshots = await run('Measured', count);
    return { snapshots, stats: app.services.pipeline.siteStats('tail.example')! };
  } finally {
    await app.dispose();
  }
}

const searchTime = (s: SearchSnapshot) => s.events.at(-1)!.at - s.search.createdAt;

describe('hedging against a heavy-tailed site that hangs (real HTTP)', () => {
  let site: Awaited<ReturnType<typeof heavyTailedSite>>;
  beforeAll(async () => {
    site = await heavyTailedSite();
  });
  afterAll(() => site.close());

  it('hedges slow requests, keeps the site within its limits, and cuts the time lost to hangs', async () => {
    site.reset();
    const off = await searchMany('off', site.port, MEASURED, 24);
    const offSite = site.stats();
    site.reset();
    const on = await searchMany('on', site.port, MEASURED, 24);
    const onSite = site.stats();

    for (const run of [off, on]) expect(run.snapshots.map((s) => s.results[0]!.status)).toEqual(Array(MEASURED).fill('done'));
    // The site's own books: never more than its limits, hedges included.
    expect(offSite.exceeded).toBe(false);
    expect(onSite).toMatchObject({ exceeded: false, rateLimited: 0 });
    expect(onSite.maxConcurrency).toBeLessThanOrEqual(LIMITS.concurrency);

    const hedged = on.snapshots.filter((s) => s.events.some((e) => e.type === 'site:hedged'));
    expect(hedged.length).toBeGreaterThan(0);
    expect(off.snapshots.some((s) => s.events.some((e) => e.type === 'site:hedged'))).toBe(false);
    expect(on.stats).toMatchObject({ hedges: expect.any(Number), hedgeWins: expect.any(Number) });
    expect(on.stats.hedges).toBeGreaterThan(0);
    // Hedges stay a small share: at most 1.25 requests per search (warm-up included), retries too.
    expect(onSite.received).toBeLessThanOrEqual(1.25 * (MEASURED + 24));

    // Without hedges a hung request costs an attempt timeout — from the model, so 1 s (its floor)
    // rather than the definition's 1.5 s; with them, a copy answers instead.
    const times = (run: typeof on) => run.snapshots.map(searchTime);
    expect(off.stats.attemptTimeoutMs).toBe(TIMEOUT_FLOOR_MS);
    const waitedOutTimeout = (run: typeof on) => times(run).filter((ms) => ms >= TIMEOUT_FLOOR_MS).length;
    expect(waitedOutTimeout(off)).toBeGreaterThan(0);
    expect(Math.max(...times(off))).toBeLessThan(TIMEOUT_MS + 500);
    expect(waitedOutTimeout(on)).toBeLessThan(waitedOutTimeout(off));
  }, 60_000);
});
