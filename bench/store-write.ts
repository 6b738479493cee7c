/**
 * Bulk write rate of the two stores, side by side: the same batches, shaped like the event log's
 * flushes, written to SqliteStore and to ElasticStore, in events per second.
 *
 *   npx tsx bench/store-write.ts [events=50000]
 *   ELASTICSEARCH_URL=http://127.0.0.1:9200 (default) · BENCH_SEARCHES=50 (searches in flight)
 *
 * Each search has 10 sites and logs 32 events (created, scheduled/started/done per site,
 * completed). Searches run interleaved, and a batch holds up to 500 events (the event log's
 * FLUSH_EVENTS) with the latest state of each search and site result they touched.
 *
 * SQLite is timed until its last write has committed. Elasticsearch is timed until its buffer is
 * empty: every doc acknowledged by a bulk request that waited for a refresh (searchable), which is
 * when ElasticStore itself lets go of them. The indices are deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { pino } from 'pino';
import type { Search, SearchEventType, SiteResult } from '../lib/types';
import { OverloadedError } from '../server/errors';
import { ElasticStore, elasticIndexNames } from '../server/store/elastic-store';
import { SqliteStore } from '../server/store/sqlite-store';
import type { Store, StoreBatch, StoredEvent, StoredSiteResult } from '../server/store/store';

const T0 = Date.UTC(2024, 0, 1);

const EVENTS = Number(process.argv[2] ?? 50_000);
const IN_FLIGHT = Number(process.env.BENCH_SEARCHES ?? 50);
const ES_URL = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const SITES = 10;
const BATCH_EVENTS = 500;

/** The event log of one search: 32 events. */
function script(): { type: SearchEventType; siteId?: string }[] {
  const sites = Array.from({ length: SITES }, (_, i) => `site-${i}.example`);
  return [
    { type: 'search:created' },
    ...sites.map((siteId) => ({ type: 'site:scheduled' as const, siteId })),
    ...sites.map((siteId) => ({ type: 'site:started' as const, siteId })),
    ...sites.map((siteId) => ({ type: 'site:done' as const, siteId })),
    { type: 'search:completed' },
  ];
}

/** A search id shaped like a real one (22 URL-safe characters). */
function searchId(n: number): string {
  return `b${String(n).padStart(21, '0')}`;
}

function makeSearch(id: string, n: number, status: Search['status']): Search {
  return {
    id,
    query: { name: `Bench Business ${n}`, location: 'Springfield, IL' },
    priority: 'interactive',
    status,
    createdAt: T0 + n,
    ...(status === 'running' ? {} : { completedAt: T0 + n + 4_000 }),
    deadlineAt: T0 + n + 30_000,
    summary: { total: SITES, found: 0, partial: 0, notFound: 0, failed: 0, skipped: 0, cancelled: 0, open: SITES },
  };
}

function makeResult(searchId: string, siteId: string, status: SiteResult['status']): StoredSiteResult {
  return {
    searchId,
    siteId,
    siteName: `Site ${siteId}`,
    sandbox: true,
    status,
    attempts: 1,
    ...(status === 'done'
      ? {
          outcome: 'found' as const,
          latencyMs: 120,
          listing: { name: 'Business', address: '1 Main St, Springfield, IL', phone: '+1 217 555 0100', url: `https://${siteId}/l/1` },
          fields: { name: 'match', address: 'match', phone: 'match', website: 'missing' } as const,
        }
      : {}),
  };
}

/** All batches, built before timing starts. */
function makeBatches(events: number): { batches: StoreBatch[]; docs: number } {
  const batches: StoreBatch[] = [];
  let docs = 0;
  let next = 0;
  let written = 0;
  let running: { id: string; n: number; steps: ReturnType<typeof script>; at: number }[] = [];
  let pending: StoredEvent[] = [];
  const touchedSearches = new Map<string, Search>();
  const touchedResults = new Map<string, StoredSiteResult>();
  const flush = () => {
    const batch = { searches: [...touchedSearches.values()], results: [...touchedResults.values()], events: pending };
    docs += batch.searches.length + batch.results.length + batch.events.length;
    batches.push(batch);
    pending = [];
    touchedSearches.clear();
    touchedResults.clear();
  };
  while (written < events) {
    while (running.length < IN_FLIGHT) {
      next++;
      running.push({ id: searchId(next), n: next, steps: script(), at: 0 });
    }
    for (const search of running) {
      if (written >= events) break;
      const step = search.steps[search.at++]!;
      const seq = search.at;
      const at = T0 + search.n * 1_000 + seq;
      // A store keeps an event's data as it came: the shape of the writes is what is timed here.
      pending.push({
        searchId: search.id,
        seq,
        at,
        type: step.type,
        ...(step.siteId ? { siteId: step.siteId, data: { attempt: 1, latencyMs: 120 } } : {}),
      } as StoredEvent);
      written++;
      const done = step.type === 'search:completed';
      touchedSearches.set(search.id, makeSearch(search.id, search.n, done ? 'completed' : 'running'));
      if (step.siteId) {
        const status = step.type === 'site:done' ? 'done' : step.type === 'site:started' ? 'running' : 'scheduled';
        touchedResults.set(`${search.id}:${step.siteId}`, makeResult(search.id, step.siteId, status));
      }
      if (pending.length >= BATCH_EVENTS) flush();
    }
    running = running.filter((search) => search.at < search.steps.length);
  }
  if (pending.length > 0) flush();
  return { batches, docs };
}

/** Writes every batch in turn, as the event log does (one write at a time, waiting when refused). */
async function writeAll(store: Store, batches: readonly StoreBatch[]): Promise<void> {
  for (const batch of batches) {
    for (;;) {
      try {
        await store.write(batch);
        break;
      } catch (error) {
        if (!(error instanceof OverloadedError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
      }
    }
  }
}

interface Measure {
  readonly store: string;
  readonly ms: number;
  readonly note: string;
}

async function benchSqlite(batches: readonly StoreBatch[]): Promise<Measure> {
  const dir = await mkdtemp(join(tmpdir(), 'sitescan-bench-'));
  const store = new SqliteStore({ file: join(dir, 'sitescan.db') });
  try {
    const t0 = performance.now();
    await writeAll(store, batches);
    return { store: 'SqliteStore', ms: performance.now() - t0, note: 'committed (WAL, synchronous=NORMAL)' };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function benchElastic(batches: readonly StoreBatch[]): Promise<Measure> {
  const indexPrefix = `sitescan-bench-${randomBytes(4).toString('hex')}`;
  const store = await ElasticStore.open({ url: ES_URL, indexPrefix, logger: pino({ level: process.env.LOG_LEVEL ?? 'warn' }) });
  const admin = new Client({ node: ES_URL });
  try {
    const t0 = performance.now();
    await writeAll(store, batches);
    const accepted = performance.now() - t0;
    await store.flush();
    const ms = performance.now() - t0;
    return { store: 'ElasticStore', ms, note: `in the indices, searchable (all write() calls resolved after ${accepted.toFixed(0)} ms)` };
  } finally {
    await store.close();
    const names = Object.values(elasticIndexNames(indexPrefix));
    await admin.indices.delete({ index: names, ignore_unavailable: true });
    await Promise.all(names.map((name) => admin.indices.deleteIndexTemplate({ name }, { ignore: [404] })));
    await admin.close();
  }
}

async function main(): Promise<void> {
  if (!Number.isInteger(EVENTS) || EVENTS < 1) throw new Error(`Expected the event count to be a positive integer, got ${process.argv[2]}`);
  const { batches, docs } = makeBatches(EVENTS);
  console.log(
    `${EVENTS} events in ${batches.length} batches (${docs} docs counting the search and result states they carry), ${IN_FLIGHT} searches in flight`,
  );
  const sqlite = await benchSqlite(batches);
  const elastic = await benchElastic(batches);
  for (const m of [sqlite, elastic]) {
    const rate = (EVENTS / m.ms) * 1_000;
    console.log(`${m.store.padEnd(13)} ${(m.ms / 1_000).toFixed(2).padStart(7)} s  ${rate.toFixed(0).padStart(8)} events/s  ${m.note}`);
  }
  console.log(`SqliteStore / ElasticStore: ${(elastic.ms / sqlite.ms).toFixed(1)}× (Elasticsearch at ${ES_URL})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
