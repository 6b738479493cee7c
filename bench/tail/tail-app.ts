/**
 * sitescan's pipeline as the tail bench runs it: composed as server/index.ts does (minus HTTP and
 * Socket.IO), with hedging on or off, and searches submitted at a steady pace (open loop: a slow
 * search never delays the next one's start).
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { BusinessQuery, SearchSnapshot, SiteLiveStats } from '../../lib/types';
import { EventLog } from '../../server/pipeline/event-log';
import { Pipeline } from '../../server/pipeline/pipeline';
import { SearchService } from '../../server/search-service';
import type { SiteRegistry } from '../../server/sites/site-registry';
import { SqliteStore } from '../../server/store/sqlite-store';

const logger = pino({ level: 'silent' });

/** A pipeline with its store and event log, hedging on or off. */
export interface TailApp {
  readonly pipeline: Pipeline;
  readonly searches: SearchService;
  /** Submits `queries` one every `paceMs` from now; resolves with every search once all have ended. */
  runPaced(queries: readonly BusinessQuery[], paceMs: number): Promise<SearchSnapshot[]>;
  /** The pipeline's live figures of each site (its latency model, hedges), by site id. */
  siteStats(): Record<string, SiteLiveStats>;
  close(): Promise<void>;
}

/** Options of {@link startTailApp}. */
export interface TailAppOptions {
  readonly registry: SiteRegistry;
  readonly hedging: boolean;
  /** Where the SQLite file goes. */
  readonly dir: string;
  /** Deadline of an interactive search. Default 5000 ms, sitescan's own. */
  readonly searchDeadlineMs?: number;
}

/** Composes a fresh pipeline: an empty store, and latency models that know nothing yet. */
export function startTailApp({ registry, hedging, dir, searchDeadlineMs = 5_000 }: TailAppOptions): TailApp {
  const store = new SqliteStore({ file: path.join(dir, `tail-${hedging ? 'on' : 'off'}-${Math.random().toString(36).slice(2)}.db`) });
  const eventLog = new EventLog({ store, logger });
  const pipeline = new Pipeline({ registry, eventLog, logger, searchDeadlineMs, hedging });
  const searches = new SearchService({ runner: pipeline, live: eventLog, store });
  return {
    pipeline,
    searches,
    async runPaced(queries, paceMs) {
      const started = performance.now();
      const ended: Promise<SearchSnapshot>[] = [];
      for (const [i, query] of queries.entries()) {
        const wait = started + i * paceMs - performance.now();
        if (wait > 0) await sleep(wait);
        const { id } = await searches.create(query);
        ended.push(searches.whenEnded(id));
      }
      return Promise.all(ended);
    },
    siteStats() {
      const stats: Record<string, SiteLiveStats> = {};
      for (const connector of registry.all()) {
        const site = pipeline.siteStats(connector.definition.id);
        if (site) stats[connector.definition.id] = site;
      }
      return stats;
    },
    async close() {
      await pipeline.close();
      await eventLog.close();
      await store.close();
    },
  };
}
