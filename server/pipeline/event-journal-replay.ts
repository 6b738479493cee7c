/**
 * Journal replay: at start-up, before anything else touches the store, the events a previous
 * process showed (its journal, `event-journal.ts`) but did not live to store are written to the
 * store under the seqs they were shown with.
 *
 *   readJournal ──events by search──▶ replayPlan(journaled, stored snapshot) ──batch──▶ store
 *                                          │ (pure: what the store lacks, and the search row
 *                                          │  and result rows those events lead to)
 *                                          └─ skip, with the reason, when the store's log went
 *                                             another way (another node continued the search)
 *
 * Example: the store holds search A up to seq 111; the journal holds 109–113. The plan checks
 * that seq 111 is the same event in both, then carries 112 and 113, and — 113 being
 * `search:completed` — the finished search row and its 41 result rows. Recovery then finds A
 * completed, where without the journal it would have marked it interrupted at seq 112, under a
 * seq the watching client had already been shown as something else.
 *
 * Invariants:
 * - A replayed event MUST keep its seq, type, site and time: it is the one that was shown.
 * - Events are only ever added after the store's last one, contiguously; the store's own
 *   history is never rewritten. When the two disagree at the store's last seq, or the journal
 *   lacks the next one, the search is left as the store has it and the skip is reported.
 * - Writes are idempotent (see `Store.write`), so a replay cut off by a crash is run again whole.
 */
import type { Logger } from 'pino';
import { applyEventToResults, applyEventToSearch } from '../../lib/search-state';
import type { Search, SearchEvent, SearchSnapshot, SiteResult } from '../../lib/types';
import type { Store, StoreBatch, StoredEvent } from '../store/store';
import { readJournal } from './event-journal';

/** What to write for one search, or why nothing is. */
export type ReplayPlan = { readonly batch: StoreBatch; readonly events: number } | { readonly skip: string };

/**
 * What the store lacks of one search: `journaled` are its events from the journal (any order,
 * repeats allowed), `stored` what the store holds of it (undefined: nothing).
 */
export function replayPlan(journaled: readonly StoredEvent[], stored: SearchSnapshot | undefined): ReplayPlan {
  const bySeq = new Map<number, StoredEvent>();
  for (const event of journaled) if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
  const lastStored = stored?.events.at(-1);
  const storedSeq = lastStored?.seq ?? 0;

  const shared = lastStored && bySeq.get(lastStored.seq);
  if (shared && (shared.type !== lastStored.type || shared.at !== lastStored.at || shared.siteId !== lastStored.siteId)) {
    return { skip: `the store's seq ${storedSeq} is ${describe(lastStored)}, the journal's ${describe(shared)}: its log went on elsewhere` };
  }
  const missing: StoredEvent[] = [];
  for (let seq = storedSeq + 1; bySeq.has(seq); seq++) missing.push(bySeq.get(seq)!);
  const beyond = [...bySeq.keys()].filter((seq) => seq > storedSeq + missing.length);
  if (beyond.length > 0) {
    return { skip: `the journal lacks seq ${storedSeq + missing.length + 1} but holds ${beyond.length} later event(s)` };
  }
  if (missing.length === 0) return { batch: {}, events: 0 };

  let search: Search | undefined = stored?.search;
  let results: readonly SiteResult[] = stored ? stored.events.reduce(applyEventToResults, stored.results) : [];
  for (const shown of missing) {
    if (!search && shown.type !== 'search:created') {
      return { skip: `the store does not have the search and the journal starts at seq ${shown.seq}, not its creation` };
    }
    results = applyEventToResults(results, shown);
    search = applyEventToSearch(search!, results, shown);
  }
  const searchId = missing[0]!.searchId;
  return {
    batch: {
      searches: [search!],
      results: search!.status === 'running' ? [] : results.map((result) => ({ ...result, searchId })),
      events: missing,
    },
    events: missing.length,
  };
}

/** What a replay did, for the start-up log. */
export interface ReplayReport {
  /** Searches that got events back, and how many events in all. */
  readonly searches: number;
  readonly events: number;
  /** Searches left as the store has them, with the reason. */
  readonly skipped: readonly { readonly searchId: string; readonly reason: string }[];
  /** Lines that did not parse (a write cut off by the crash). */
  readonly unreadable: number;
}

/**
 * Writes to `store` what the journal in `dir` holds and the store lacks, and waits until the
 * store holds it durably. The caller then discards the old segments (`EventJournal.discardOlder`).
 */
export async function replayJournal(dir: string, store: Store, logger: Logger): Promise<ReplayReport> {
  const { events, unreadable } = readJournal(dir);
  const bySearch = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const list = bySearch.get(event.searchId);
    if (list) list.push(event);
    else bySearch.set(event.searchId, [event]);
  }
  let searches = 0;
  let replayed = 0;
  const skipped: { searchId: string; reason: string }[] = [];
  for (const [searchId, journaled] of bySearch) {
    const plan = replayPlan(journaled, await store.getSearch(searchId));
    if ('skip' in plan) {
      skipped.push({ searchId, reason: plan.skip });
      continue;
    }
    if (plan.events === 0) continue;
    await store.write(plan.batch);
    await store.durable?.(plan.batch);
    searches++;
    replayed += plan.events;
  }
  const report = { searches, events: replayed, skipped, unreadable };
  if (searches > 0 || skipped.length > 0 || unreadable > 0) {
    logger.warn({ ...report, skipped: skipped.slice(0, 20) }, 'journal replayed: events shown before a stop that the store did not have');
  }
  return report;
}

function describe(event: Pick<SearchEvent, 'type' | 'siteId' | 'at'>): string {
  return `${event.type}${event.siteId ? ` ${event.siteId}` : ''} at ${event.at}`;
}
