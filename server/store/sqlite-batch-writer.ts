/**
 * Applies one store batch to a SQLite connection in one transaction. Used by the store's writer
 * thread (`sqlite-writer-worker.ts`) and, for `:memory:` databases, in the store's own thread.
 *
 *   batch ──► BEGIN ──► searches (upsert, FTS row when name/location change, scan key once)
 *                       results  (upsert by (search_id, site_id))
 *                       events   (insert by (search_id, seq), first one stays)
 *                       owners   (insert by search_id, first one stays)
 *                       bulk runs (insert by id, first one stays) ──► COMMIT
 *
 * Binding is positional: an event insert cost 1.7 µs against 2.3 µs with an object of named
 * parameters (200,000 inserts in one transaction, this machine), and it runs for every event.
 */
import type Database from 'better-sqlite3';
import type { Search } from '../../lib/types';
import { scanKeyOf } from './scan-key';
import { wordsForm } from './search-words';
import type { StoreBatch, StoredEvent, StoredSiteResult } from './store';

interface FtsSourceRow {
  readonly pk: number;
  readonly name: string;
  readonly location: string | null;
  readonly scan_key: string | null;
}

type SearchParams = [string, string, string | null, string, string, number, number | null, number, string, string, string];
type ResultParams = [string, string, string, number, string, string | null, number, number | null, string | null, string | null, string | null];
type EventParams = [string, number, number, string, string | null, string | null];

/** Writes store batches to one connection; statements are prepared once. */
export class SqliteBatchWriter {
  private readonly ftsSource: Database.Statement<[string], FtsSourceRow>;
  private readonly upsertSearch: Database.Statement<SearchParams, { pk: number }>;
  private readonly ftsDelete: Database.Statement<[number]>;
  private readonly ftsInsert: Database.Statement<[number, string, string | null]>;
  private readonly upsertResult: Database.Statement<ResultParams>;
  private readonly insertEvent: Database.Statement<EventParams>;
  private readonly insertOwner: Database.Statement<[string, string]>;
  private readonly insertBulkRun: Database.Statement<[string, number, string]>;
  private readonly transaction: Database.Transaction<(batch: StoreBatch) => void>;

  constructor(db: Database.Database) {
    this.ftsSource = db.prepare('SELECT pk, name, location, scan_key FROM searches WHERE id = ?');
    this.upsertSearch = db.prepare(`
      INSERT INTO searches (id, name, location, status, priority, created_at, completed_at, deadline_at, query, summary, scan_key)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET
        name = excluded.name, location = excluded.location, status = excluded.status,
        priority = excluded.priority, created_at = excluded.created_at,
        completed_at = excluded.completed_at, deadline_at = excluded.deadline_at,
        query = excluded.query, summary = excluded.summary, scan_key = excluded.scan_key
      RETURNING pk`);
    this.ftsDelete = db.prepare('DELETE FROM search_fts WHERE rowid = ?');
    this.ftsInsert = db.prepare('INSERT INTO search_fts (rowid, name, location) VALUES (?, ?, ?)');
    this.upsertResult = db.prepare(`
      INSERT INTO results (search_id, site_id, site_name, sandbox, status, outcome, attempts, latency_ms, error, listing, fields)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (search_id, site_id) DO UPDATE SET
        site_name = excluded.site_name, sandbox = excluded.sandbox, status = excluded.status,
        outcome = excluded.outcome, attempts = excluded.attempts, latency_ms = excluded.latency_ms,
        error = excluded.error, listing = excluded.listing, fields = excluded.fields`);
    // DO NOTHING rather than INSERT OR IGNORE: OR IGNORE would also silently drop an event that
    // breaks a NOT NULL constraint, where only the (search_id, seq) conflict is meant.
    this.insertEvent = db.prepare(`
      INSERT INTO events (search_id, seq, at, type, site_id, data)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (search_id, seq) DO NOTHING`);
    this.insertOwner = db.prepare('INSERT INTO owners (search_id, owner) VALUES (?, ?) ON CONFLICT (search_id) DO NOTHING');
    this.insertBulkRun = db.prepare('INSERT INTO bulk_runs (id, created_at, record) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING');
    this.transaction = db.transaction((batch: StoreBatch) => {
      for (const search of batch.searches ?? []) this.writeSearch(search);
      for (const result of batch.results ?? []) this.upsertResult.run(...resultParams(result));
      for (const event of batch.events ?? []) this.insertEvent.run(...eventParams(event));
      for (const { searchId, owner } of batch.owners ?? []) this.insertOwner.run(searchId, owner);
      for (const run of batch.bulkRuns ?? []) this.insertBulkRun.run(run.id, run.createdAt, JSON.stringify(run));
    });
  }

  /** Applies a batch: all of it or, when anything throws, none of it. */
  apply(batch: StoreBatch): void {
    this.transaction(batch);
  }

  private writeSearch(search: Search): void {
    const name = search.query.name;
    const location = search.query.location ?? null;
    const before = this.ftsSource.get(search.id);
    const upserted = this.upsertSearch.get(
      search.id,
      name,
      location,
      search.status,
      search.priority,
      search.createdAt,
      search.completedAt ?? null,
      search.deadlineAt,
      JSON.stringify(search.query),
      JSON.stringify(search.summary),
      // A search's query never changes: its key is made once, on its first write.
      before?.scan_key ?? scanKeyOf(search.query),
    );
    if (!upserted) throw new Error(`upsert of search ${search.id} returned no row`);
    if (before && before.name === name && before.location === location) return;
    if (before) this.ftsDelete.run(before.pk);
    this.ftsInsert.run(upserted.pk, wordsForm(name), location === null ? null : wordsForm(location));
  }
}

function resultParams(result: StoredSiteResult): ResultParams {
  return [
    result.searchId,
    result.siteId,
    result.siteName,
    result.sandbox ? 1 : 0,
    result.status,
    result.outcome ?? null,
    result.attempts,
    result.latencyMs ?? null,
    result.error ?? null,
    result.listing === undefined ? null : JSON.stringify(result.listing),
    result.fields === undefined ? null : JSON.stringify(result.fields),
  ];
}

function eventParams(event: StoredEvent): EventParams {
  return [
    event.searchId,
    event.seq,
    event.at,
    event.type,
    event.siteId ?? null,
    event.data === undefined ? null : JSON.stringify(event.data),
  ];
}
