/**
 * A real outage: a second Elasticsearch node (its own port and data directory, so the main node
 * other tests use stays up) is stopped and started again while searches keep writing events.
 *
 *   writer (every 50 ms: 30 events + search and result states) ──► ElasticStore ──► node :9201
 *        phase 1: node up ─► phase 2: stop.sh (SIGTERM) ─► phase 3: start-background.sh ─► drain
 *
 * Then every event must be in the index exactly once, and every search and result in its last state.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, type estypes } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreBatch, StoredEvent, StoredSiteResult } from './store';
import { ElasticStore } from './elastic-store';
import { makeEvent, makeResult, makeSearch, searchId } from './store-conformance';
import { withServices } from '../../scripts/testing/with-services';

const run = promisify(execFile);
const scripts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/elasticsearch');

/** Start-up of a node takes 7–10 s, its first start on a fresh data directory a little more. */
const NODE_TIMEOUT_MS = 240_000;

/** Searches that write events at once, each with five sites. */
class Traffic {
  readonly ids = Array.from({ length: 10 }, (_, i) => searchId(i + 1));
  private readonly seqs = new Map<string, number>(this.ids.map((id) => [id, 0]));
  events = 0;

  /** A batch like the event log's flush: 3 events per search, its state and one result state. */
  next(): StoreBatch {
    const events: StoredEvent[] = [];
    const results: StoredSiteResult[] = [];
    for (const id of this.ids) {
      for (let k = 0; k < 3; k++) {
        const seq = this.seqs.get(id)! + 1;
        this.seqs.set(id, seq);
        events.push(
          makeEvent(id, seq, seq === 1 ? { type: 'search:created', siteId: undefined } : { siteId: siteOf(seq), data: { attempt: seq } }),
        );
      }
      const seq = this.seqs.get(id)!;
      results.push(makeResult(id, siteOf(seq), { attempts: seq }));
    }
    this.events += events.length;
    return { searches: this.ids.map((id) => this.searchAt(id, 'running')), results, events };
  }

  /** Every search's final state. */
  finish(): StoreBatch {
    return { searches: this.ids.map((id) => this.searchAt(id, 'completed')) };
  }

  seqOf(id: string): number {
    return this.seqs.get(id)!;
  }

  private searchAt(id: string, status: 'running' | 'completed') {
    return makeSearch(id, { status, summary: { total: this.seqs.get(id)! } });
  }
}

function siteOf(seq: number): string {
  return `site-${seq % 5}.example`;
}

// It needs no URL of the main node, but runs where Elasticsearch can run: with the main one.
withServices('ElasticStore outage', ['elasticsearch'], () => {
  describe('ElasticStore through a real Elasticsearch outage', () => {
    const port = Number(process.env.ES_OUTAGE_PORT ?? 9201);
    const nodeUrl = `http://127.0.0.1:${port}`;
    const dir = `/tmp/sitescan-es-outage-${randomBytes(4).toString('hex')}`;
    const env = {
      ...process.env,
      ES_PORT: String(port),
      ES_DATA_DIR: `${dir}/data`,
      ES_LOGS_DIR: `${dir}/logs`,
      ES_LOG_FILE: `${dir}/elasticsearch.log`,
    };
    let started = false;

    async function script(name: 'start-background.sh' | 'stop.sh'): Promise<number> {
      const t0 = Date.now();
      await run('bash', [path.join(scripts, name)], { env, timeout: NODE_TIMEOUT_MS });
      return Date.now() - t0;
    }

    beforeAll(async () => {
      const answering = await fetch(nodeUrl).then(
        () => true,
        () => false,
      );
      if (answering) {
        throw new Error(`something already answers on ${nodeUrl}; the outage test needs that port for its own node (set ES_OUTAGE_PORT)`);
      }
      await script('start-background.sh');
      started = true;
    }, NODE_TIMEOUT_MS);

    afterAll(async () => {
      if (started) await script('stop.sh');
      await rm(dir, { recursive: true, force: true });
    }, NODE_TIMEOUT_MS);

    it(
      'stops and restarts the node mid-stream, and every event reaches the index exactly once',
      async () => {
        const store = await ElasticStore.open({
          url: nodeUrl,
          indexPrefix: 'sitescan-outage',
          retryMinMs: 50,
          retryMaxMs: 1_000,
          requestTimeoutMs: 10_000,
          closeTimeoutMs: 60_000,
        });
        const traffic = new Traffic();
        const writeErrors: unknown[] = [];
        let peakBuffered = 0;
        const writer = setInterval(() => {
          store.write(traffic.next()).catch((error: unknown) => writeErrors.push(error));
          peakBuffered = Math.max(peakBuffered, store.bufferedDocs);
        }, 50);

        try {
          // Phase 1: the node is up and takes writes.
          await expect.poll(() => traffic.events, { timeout: 10_000 }).toBeGreaterThan(600);
          expect(await store.health()).toStrictEqual({ status: 'ok', kind: 'elasticsearch' });

          // Phase 2: the node goes away; writes keep resolving into the buffer.
          const stopMs = await script('stop.sh');
          const eventsWhenStopped = traffic.events;
          await expect.poll(async () => (await store.health()).detail ?? '', { timeout: 10_000 }).toMatch(/failing for/);
          const health = await store.health();
          expect(health.status).toBe('degraded');
          expect(health.detail).toMatch(/\d+ docs buffered \(limit 100000\)/);

          // Phase 3: the node comes back on the same data; the buffer drains into it.
          const startMs = await script('start-background.sh');
          await expect.poll(() => traffic.events, { timeout: 10_000 }).toBeGreaterThan(traffic.events + 300);
          clearInterval(writer);
          await store.write(traffic.finish());
          await store.flush();

          expect(writeErrors).toStrictEqual([]);
          expect(traffic.events - eventsWhenStopped).toBeGreaterThan(1_000);
          expect(await store.health()).toStrictEqual({ status: 'ok', kind: 'elasticsearch' });
          console.info(
            `outage test: ${traffic.events} events; stop ${stopMs} ms, restart ${startMs} ms, peak buffer ${peakBuffered} docs`,
          );
        } finally {
          clearInterval(writer);
          await store.close();
        }

        const admin = new Client({ node: nodeUrl });
        try {
          await admin.indices.refresh({ index: 'sitescan-outage-*' });
          const { count } = await admin.count({ index: 'sitescan-outage-events' });
          const perSearch = await admin.search<unknown, { bySearch: estypes.AggregationsStringTermsAggregate }>({
            index: 'sitescan-outage-events',
            size: 0,
            aggs: {
              bySearch: {
                terms: { field: 'searchId', size: 100 },
                aggs: { first: { min: { field: 'seq' } }, last: { max: { field: 'seq' } } },
              },
            },
          });
          const buckets = perSearch.aggregations?.bySearch.buckets as
            | { key: string; doc_count: number; first: { value: number }; last: { value: number } }[]
            | undefined;

          expect(count).toBe(traffic.events);
          // Ids are `<searchId>:<seq>`, so n docs holding seq 1…n means each event exactly once.
          expect(
            Object.fromEntries((buckets ?? []).map((b) => [b.key, [b.doc_count, b.first.value, b.last.value]])),
          ).toStrictEqual(Object.fromEntries(traffic.ids.map((id) => [id, [traffic.seqOf(id), 1, traffic.seqOf(id)]])));

          const reopened = await ElasticStore.open({ url: nodeUrl, indexPrefix: 'sitescan-outage' });
          try {
            for (const id of traffic.ids) {
              const snapshot = await reopened.getSearch(id);
              expect(snapshot?.search.status).toBe('completed');
              expect(snapshot?.search.summary.total).toBe(traffic.seqOf(id));
              expect(snapshot?.events.map((e) => e.seq)).toStrictEqual(
                Array.from({ length: traffic.seqOf(id) }, (_, i) => i + 1),
              );
              expect(snapshot?.results.map((r) => r.siteId).sort()).toStrictEqual(
                [0, 1, 2, 3, 4].map((n) => `site-${n}.example`),
              );
            }
          } finally {
            await reopened.close();
          }
        } finally {
          await admin.close();
        }
      },
      NODE_TIMEOUT_MS,
    );
  });
});
