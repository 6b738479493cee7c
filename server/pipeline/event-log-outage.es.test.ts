/**
 * What a watching browser is shown while Elasticsearch is down, and what survives if the process
 * then dies: the event log writes each tick to its journal and pushes; the Elasticsearch store
 * buffers the batches it cannot land, and the journal keeps every event until the store says it
 * is durable. A crash during the outage loses the buffer, not the journal; the next start replays
 * it, and the store ends up with exactly what was shown, under the same seqs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SearchEvent, SiteResult } from '../../lib/types';
import { withServices } from '../../scripts/testing/with-services';
import { ElasticStore } from '../store/elastic-store';
import { CutProxy, dropWith, uniquePrefix } from '../store/elastic-test-support';
import { makeSearch, searchId } from '../store/store-conformance';
import { EventJournal } from './event-journal';
import { replayJournal } from './event-journal-replay';
import { EventLog } from './event-log';

const logger = pino({ level: 'silent' });
const results: SiteResult[] = [
  { siteId: 'alpha.example', siteName: 'Alpha', sandbox: true, status: 'pending', attempts: 0 },
  { siteId: 'bravo.example', siteName: 'Bravo', sandbox: true, status: 'pending', attempts: 0 },
];
const noop = () => undefined;

/** The parts of an event a client relies on to tell it from another. */
const identity = ({ seq, type, siteId, at }: SearchEvent) => ({ seq, type, siteId, at });

withServices('Event log during an Elasticsearch outage', ['elasticsearch'], ({ elasticsearch: esUrl }) => {
  let proxy: CutProxy;
  let dir: string;
  let indexPrefix: string;
  const stores: ElasticStore[] = [];

  beforeEach(async () => {
    proxy = await CutProxy.start(new URL(esUrl));
    dir = mkdtempSync(path.join(tmpdir(), 'sitescan-journal-'));
    indexPrefix = uniquePrefix();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close().catch(noop)));
    await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
    await dropWith(esUrl, indexPrefix);
  });

  async function open(url: string): Promise<ElasticStore> {
    const store = await ElasticStore.open({
      url,
      indexPrefix,
      retryMinMs: 20,
      retryMaxMs: 200,
      requestTimeoutMs: 2_000,
      closeTimeoutMs: 200,
      logger,
    });
    stores.push(store);
    return store;
  }

  it('pushes from the journal while Elasticsearch is down, and a crash then loses nothing that was shown', async () => {
    const store = await open(proxy.url);
    const log = new EventLog({ store, logger, journal: new EventJournal(dir) });
    const shown: SearchEvent[] = [];
    log.onEvent((_searchId, event) => shown.push(event));
    const id = searchId(1);

    log.create(makeSearch(id, { status: 'running' }), results);
    log.emit(id, { type: 'site:scheduled', siteId: 'alpha.example' });
    await log.flush();
    await store.flush();
    expect(shown.map((event) => event.seq)).toStrictEqual([1, 2]);

    proxy.cut();
    log.emit(id, { type: 'site:started', siteId: 'alpha.example', data: { attempt: 1 } });
    log.emit(id, { type: 'site:done', siteId: 'alpha.example', data: { attempt: 1, latencyMs: 120, outcome: 'not_found', score: 0 } });
    log.emit(id, { type: 'site:failed', siteId: 'bravo.example', data: { attempt: 1, latencyMs: 4_000, reason: 'timeout' } });
    log.emit(id, { type: 'search:completed', data: {} });

    // Shown although Elasticsearch has none of it: the journal holds them.
    await expect.poll(() => shown.length, { timeout: 2_000 }).toBe(6);
    await expect.poll(async () => (await store.health()).status, { timeout: 5_000 }).toBe('degraded');

    // The process dies with the store's buffer unwritten: what was in memory is gone, the
    // journal's files stay.
    await log.close(50).catch(noop);
    await store.close().catch(noop);

    proxy.restore();
    const restarted = await open(esUrl);
    const report = await replayJournal(dir, restarted, logger);
    expect(report).toMatchObject({ searches: 1, events: 4, skipped: [], unreadable: 0 });

    const stored = await restarted.getSearch(id);
    expect(stored?.events.map(identity)).toStrictEqual(shown.map(identity));
    expect(stored?.search.status).toBe('completed');
    expect(stored?.results.map((result) => [result.siteId, result.status])).toStrictEqual([
      ['alpha.example', 'done'],
      ['bravo.example', 'failed'],
    ]);
  });
});
