/**
 * A pipeline on fake connectors and an in-memory store, for tests on a fake clock: every site
 * answers as its script says, after as long as its script says, and nothing touches the network.
 */
import { pino } from 'pino';
import type { BusinessQuery, SearchEvent, SearchSnapshot } from '../../lib/types';
import { SiteTimeoutError } from '../errors';
import type { SearchAttemptOptions, SiteAnswer, SiteConnector } from '../sites/connector';
import { siteDefinitionSchema, type SiteDefinition } from '../sites/site-definition';
import { SiteRegistry } from '../sites/site-registry';
import type { Store, StoreBatch } from '../store/store';
import { EventLog } from './event-log';
import { Pipeline, type PipelineOptions } from './pipeline';

/** What a scripted site does on one request: answer or throw, after `afterMs`. */
export interface ScriptedReply {
  readonly afterMs: number;
  readonly answer?: SiteAnswer;
  readonly error?: Error;
}

/** A connector whose answers follow a script, one entry per request (the last one repeats). */
export class ScriptedConnector implements SiteConnector {
  readonly definition: SiteDefinition;
  /** Each request: when it was sent (fake clock) and for which query. */
  readonly requests: { readonly at: number; readonly query: BusinessQuery; readonly signal: AbortSignal; readonly timeoutMs: number }[] = [];

  constructor(
    id: string,
    private readonly script: readonly ScriptedReply[],
    overrides: Partial<{ limits: SiteDefinition['limits']; timeoutMs: number; retries: number; cacheTtlMs: number }> = {},
  ) {
    this.definition = siteDefinitionSchema.parse({
      id,
      name: id,
      kind: 'json',
      search: { url: `https://${id}.test/search?q={name}` },
      limits: overrides.limits ?? { concurrency: 2, requests: 10, perMs: 1000 },
      timeoutMs: overrides.timeoutMs ?? 4_000,
      retries: overrides.retries ?? 2,
      cacheTtlMs: overrides.cacheTtlMs ?? 0,
      extract: { items: 'items', name: 'name' },
    });
  }

  search(query: BusinessQuery, options: SearchAttemptOptions): Promise<SiteAnswer> {
    const reply = this.script[Math.min(this.requests.length, this.script.length - 1)]!;
    this.requests.push({ at: Date.now(), query, signal: options.signal, timeoutMs: options.timeoutMs });
    options.onSent?.();
    return new Promise<SiteAnswer>((resolve, reject) => {
      if (options.signal.aborted) {
        reject(options.signal.reason);
        return;
      }
      const finish = (settle: () => void) => {
        clearTimeout(answerTimer);
        clearTimeout(timeoutTimer);
        options.signal.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = () => finish(() => reject(options.signal.reason));
      const answerTimer = setTimeout(
        () => finish(() => (reply.error ? reject(reply.error) : resolve(reply.answer ?? { listings: [] }))),
        reply.afterMs,
      );
      const timeoutTimer = setTimeout(
        () => finish(() => reject(new SiteTimeoutError(this.definition.id, options.timeoutMs))),
        options.timeoutMs,
      );
      options.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** A store that keeps every batch in memory: the event log's collaborator, not under test. */
export function memoryStore(): Store & { readonly events: SearchEvent[] } {
  const events: SearchEvent[] = [];
  return {
    events,
    async write(batch: StoreBatch) {
      for (const event of batch.events ?? []) events.push(event);
    },
    async getSearch() {
      return undefined;
    },
    async eventsAfter() {
      return [];
    },
    async listSearches() {
      return { items: [] };
    },
    async listRunning() {
      return [];
    },
    async previousScan() {
      return undefined;
    },
    async getBulkRun() {
      return undefined;
    },
    async health() {
      return { status: 'ok' as const, kind: 'memory' };
    },
    async close() {},
  };
}

/** A pipeline over scripted sites; `snapshot(id)` reads a search from its event log. */
export function scriptedPipeline(
  connectors: readonly SiteConnector[],
  options: Partial<Omit<PipelineOptions, 'registry' | 'eventLog' | 'logger'>> = {},
) {
  const logger = pino({ level: 'silent' });
  const eventLog = new EventLog({ store: memoryStore(), logger });
  const pipeline = new Pipeline({ registry: new SiteRegistry(connectors), eventLog, logger, ...options });
  const snapshot = (id: string): SearchSnapshot => {
    const found = eventLog.snapshot(id);
    if (!found) throw new Error(`search ${id} is not in the event log`);
    return found;
  };
  return { pipeline, eventLog, snapshot };
}
