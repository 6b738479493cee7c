/**
 * The embedded Store: one SQLite file (better-sqlite3) in WAL mode, history search on FTS5.
 *
 *   write(batch) ──► one transaction ──► searches ──► search_fts (contentless, rowid = searches.pk)
 *                                        results      (upsert by (search_id, site_id))
 *                                        events       (insert by (search_id, seq), first one stays)
 *
 * Writes run on a writer thread of their own (`sqlite-writer-thread.ts`) so that a transaction
 * never holds the pipeline's event loop; this thread keeps a connection for reads. A `:memory:`
 * database cannot be shared between threads, so it is written here.
 *
 * Invariants:
 * - A batch is applied in ONE transaction: all of it or none of it.
 * - Searches and results are upserted with `ON CONFLICT DO UPDATE`: the newest whole record wins
 *   and the row keeps its `pk`, so results keep the order they were first written in.
 * - `search_fts` holds exactly one row per search, indexing the NFKC form of the query's name and
 *   location; it is rewritten in the same transaction whenever either of them changes.
 * - The schema is versioned by `PRAGMA user_version` and migrated forward on open; a file from
 *   a newer sitescan is refused rather than misread.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import {
  SEARCH_STATUSES,
  type BusinessQuery,
  type Search,
  type SearchEvent,
  type SearchPriority,
  type SearchSnapshot,
  type SearchStatus,
  type SearchSummary,
  type SiteJobStatus,
  type SiteResult,
  type Outcome,
} from '../../lib/types';
import { ValidationError } from '../errors';
import { clampLimit, decodeCursor, encodeCursor, toListItem } from './history-page';
import { logger } from '../logger';
import { SqliteBatchWriter } from './sqlite-batch-writer';
import { scanKeyOf } from './scan-key';
import { openSqlite } from './sqlite-connection';
import { splitWords, wordsQuery } from './search-words';
import { SqliteWriterThread } from './sqlite-writer-thread';
import type {
  BulkRunRecord,
  BulkRunState,
  ListSearchesOptions,
  PreviousScan,
  PreviousScanQuery,
  SearchPage,
  Store,
  StoreBatch,
  StoreHealth,
} from './store';

/** Options of `SqliteStore`. */
export interface SqliteStoreOptions {
  /** Path of the database file, created if missing; `':memory:'` for a throwaway store. */
  readonly file: string;
}

/** Where a store's batches go. */
interface BatchSink {
  ready?(): Promise<void>;
  write(batch: StoreBatch): Promise<void>;
  close(): Promise<void>;
  readonly lastFailure?: string;
}

/**
 * Schema migrations; entry `i` takes `user_version` from `i` to `i + 1`. Append, never edit.
 * Statements use IF NOT EXISTS so a second process racing the first open is harmless. The status
 * CHECK is derived from `SEARCH_STATUSES`, the one list; a new status must also come with a
 * migration that rebuilds the table, since an existing file keeps the CHECK it was made with.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS searches (
    -- An explicit INTEGER PRIMARY KEY: search_fts rows point at it and VACUUM must not renumber it.
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    location TEXT,
    status TEXT NOT NULL CHECK (status IN (${SEARCH_STATUSES.map((status) => `'${status}'`).join(', ')})),
    priority TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    completed_at INTEGER,
    deadline_at INTEGER NOT NULL,
    query TEXT NOT NULL,   -- JSON BusinessQuery
    summary TEXT NOT NULL  -- JSON SearchSummary
  );
  CREATE INDEX IF NOT EXISTS searches_by_created ON searches (created_at DESC, id DESC);
  CREATE INDEX IF NOT EXISTS searches_by_status ON searches (status, created_at DESC, id DESC);

  CREATE TABLE IF NOT EXISTS results (
    pk INTEGER PRIMARY KEY,  -- order of first write
    search_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    site_name TEXT NOT NULL,
    sandbox INTEGER NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    attempts INTEGER NOT NULL,
    latency_ms REAL,
    error TEXT,
    listing TEXT,  -- JSON Listing
    fields TEXT,   -- JSON field verdicts
    UNIQUE (search_id, site_id)
  );

  CREATE TABLE IF NOT EXISTS events (
    search_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    site_id TEXT,
    data TEXT,  -- JSON SearchEventData
    PRIMARY KEY (search_id, seq)
  ) WITHOUT ROWID;

  -- Contentless: the index text is normalised in JS (NFKC), which an external-content table
  -- reading the raw columns could not do. contentless_delete lets an upsert replace a row.
  CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    name, location,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
  );
  `,
  // 1 → 2: who created each search (a digest of their history key), for HISTORY_SCOPE=owner.
  `
  CREATE TABLE IF NOT EXISTS owners (
    search_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS owners_by_owner ON owners (owner);
  `,
  // 2 → 3: bulk runs, one row per uploaded CSV; the record is JSON, read whole by id.
  `
  CREATE TABLE IF NOT EXISTS bulk_runs (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    record TEXT NOT NULL  -- JSON BulkRunRecord
  ) WITHOUT ROWID;
  `,
  // 3 → 4: the scan key of each search (scan-key.ts), for the previous scan of the same business.
  // Searches written before get theirs from their stored query.
  `
  ALTER TABLE searches ADD COLUMN scan_key TEXT;
  UPDATE searches SET scan_key = sitescan_scan_key(query);
  CREATE INDEX IF NOT EXISTS searches_by_scan ON searches (scan_key, status, created_at DESC, id DESC);
  `,
];

/** Current schema version, stored as `PRAGMA user_version`. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

interface SearchRow {
  readonly id: string;
  readonly status: string;
  readonly priority: string;
  readonly created_at: number;
  readonly completed_at: number | null;
  readonly deadline_at: number;
  readonly query: string;
  readonly summary: string;
}

interface ResultRow {
  readonly site_id: string;
  readonly site_name: string;
  readonly sandbox: number;
  readonly status: string;
  readonly outcome: string | null;
  readonly attempts: number;
  readonly latency_ms: number | null;
  readonly error: string | null;
  readonly listing: string | null;
  readonly fields: string | null;
}

interface EventRow {
  readonly seq: number;
  readonly at: number;
  readonly type: string;
  readonly site_id: string | null;
  readonly data: string | null;
}



/** Bind parameters of the history query; each shape of filter has its own statement. */
interface ListParams {
  match?: string;
  status?: SearchStatus;
  owner?: string;
  createdAt?: number;
  id?: string;
  limit: number;
}

const SEARCH_COLUMNS = 'id, status, priority, created_at, completed_at, deadline_at, query, summary';

/** Persistence of searches, site results and events in one SQLite file. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly log = logger.child({ module: 'sqlite-store' });
  private readonly listStatements = new Map<string, Database.Statement<[ListParams], SearchRow>>();

  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly writer: BatchSink;
  private readonly readSnapshot: Database.Transaction<(id: string) => SearchSnapshot | undefined>;
  private readonly readRunning: Database.Transaction<() => SearchSnapshot[]>;
  private readonly readPrevious: Database.Transaction<(query: PreviousScanQuery) => PreviousScan | undefined>;

  /**
   * Opens (creating if needed) the database at `options.file` and migrates its schema.
   * Throws `ValidationError` for a bad option and an `Error` for a file from a newer sitescan.
   */
  constructor(options: SqliteStoreOptions) {
    const file: unknown = options?.file;
    if (typeof file !== 'string' || file.trim() === '') {
      throw new ValidationError(`Expected \`file\` to be a path or ':memory:', got ${JSON.stringify(file)}`);
    }
    this.db = openSqlite(file);
    try {
      migrate(this.db, file);
    } catch (error) {
      this.db.close();
      throw error;
    }

    this.statements = prepareStatements(this.db);
    this.writer = file === ':memory:' ? inlineWriter(this.db) : new SqliteWriterThread(file);
    // Reads in a transaction see one consistent state even while another process writes.
    this.readSnapshot = this.db.transaction((id: string) => this.snapshotOf(id));
    this.readRunning = this.db.transaction(() =>
      this.statements.selectRunning.all().map((row) => this.snapshotWith(toSearch(row))),
    );
    this.readPrevious = this.db.transaction((query: PreviousScanQuery) => {
      const { scanKey, before, sameOwnerAs } = query;
      const row =
        sameOwnerAs === undefined
          ? this.statements.selectPrevious.get({ scanKey, before })
          : this.statements.selectPreviousOfOwner.get({ scanKey, before, sameOwnerAs });
      if (!row) return undefined;
      return { search: toSearch(row), results: this.statements.selectResults.all(row.id).map(toResult) };
    });
  }

  /** Opens the store of a data directory, `<dataDir>/sitescan.db`, creating the directory. */
  static async open(dataDir: string): Promise<SqliteStore> {
    await mkdir(dataDir, { recursive: true });
    const store = new SqliteStore({ file: join(dataDir, 'sitescan.db') });
    try {
      await store.ready();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Resolves once writes can start (the writer thread is up); rejects naming why it is not. */
  ready(): Promise<void> {
    return this.writer.ready?.() ?? Promise.resolve();
  }

  write(batch: StoreBatch): Promise<void> {
    return this.writer.write(batch);
  }

  async getSearch(id: string): Promise<SearchSnapshot | undefined> {
    return this.readSnapshot(id);
  }

  async eventsAfter(searchId: string, afterSeq: number): Promise<readonly SearchEvent[]> {
    return this.statements.selectEventsAfter.all(searchId, afterSeq).map(toEvent);
  }

  async listSearches(options: ListSearchesOptions = {}): Promise<SearchPage> {
    const limit = clampLimit(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const match = toFtsQuery(options.q ?? '');
    const params: ListParams = { limit: limit + 1 };
    if (match !== undefined) params.match = match;
    if (options.status !== undefined) params.status = options.status;
    if (options.owner !== undefined) params.owner = options.owner;
    if (after !== undefined) {
      params.createdAt = after.createdAt;
      params.id = after.id;
    }

    const rows = this.listStatement({
      byText: match !== undefined,
      byStatus: options.status !== undefined,
      byOwner: options.owner !== undefined,
      afterCursor: after !== undefined,
    }).all(params);
    const items = rows.slice(0, limit).map((row) => toListItem(toSearch(row)));
    const last = items.at(-1);
    return rows.length > limit && last ? { items, next: encodeCursor(last) } : { items };
  }

  async previousScan(query: PreviousScanQuery): Promise<PreviousScan | undefined> {
    return this.readPrevious(query);
  }

  async getBulkRun(id: string): Promise<BulkRunState | undefined> {
    const row = this.statements.selectBulkRun.get(id);
    if (!row) return undefined;
    const run = JSON.parse(row.record) as BulkRunRecord;
    const ids = JSON.stringify(run.searches.map((search) => search.searchId));
    const searches = new Map(
      this.statements.selectBulkSearches
        .all(ids)
        .map((found) => [found.id, { status: found.status as SearchStatus, summary: JSON.parse(found.summary) as SearchSummary }] as const),
    );
    return { run, searches };
  }

  async listRunning(): Promise<readonly SearchSnapshot[]> {
    return this.readRunning();
  }

  async health(): Promise<StoreHealth> {
    try {
      this.statements.ping.get();
      const failure = this.writer.lastFailure;
      if (failure) return { status: 'degraded', kind: 'sqlite', detail: `last write failed: ${failure}` };
      return { status: 'ok', kind: 'sqlite' };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.log.warn({ err: error, file: this.db.name }, 'sqlite health check failed');
      return { status: 'degraded', kind: 'sqlite', detail };
    }
  }

  /** Closes the database; every write has already been committed. Calling it twice is harmless. */
  async close(): Promise<void> {
    await this.writer.close();
    if (this.db.open) this.db.close();
  }

  private snapshotOf(id: string): SearchSnapshot | undefined {
    const row = this.statements.selectSearch.get(id);
    return row && this.snapshotWith(toSearch(row));
  }

  private snapshotWith(search: Search): SearchSnapshot {
    return {
      search,
      results: this.statements.selectResults.all(search.id).map(toResult),
      events: this.statements.selectEvents.all(search.id).map(toEvent),
    };
  }

  /** The history statement for one shape of filter, prepared once. */
  private listStatement(shape: { byText: boolean; byStatus: boolean; byOwner: boolean; afterCursor: boolean }) {
    const { byText, byStatus, byOwner, afterCursor } = shape;
    const key = `${+byText}${+byStatus}${+byOwner}${+afterCursor}`;
    let statement = this.listStatements.get(key);
    if (!statement) {
      const where = [
        byText && 'pk IN (SELECT rowid FROM search_fts WHERE search_fts MATCH @match)',
        byStatus && 'status = @status',
        byOwner && 'id IN (SELECT search_id FROM owners WHERE owner = @owner)',
        afterCursor && '(created_at, id) < (@createdAt, @id)',
      ].filter((clause) => clause !== false);
      statement = this.db.prepare<[ListParams], SearchRow>(`
        SELECT ${SEARCH_COLUMNS} FROM searches
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC
        LIMIT @limit`);
      this.listStatements.set(key, statement);
    }
    return statement;
  }
}

/** Writes batches in the caller's thread, on the store's own connection. */
function inlineWriter(db: Database.Database): BatchSink {
  const writer = new SqliteBatchWriter(db);
  return {
    write: async (batch) => writer.apply(batch),
    close: async () => undefined,
  };
}

/** Every fixed read statement of the store, prepared once. */
function prepareStatements(db: Database.Database) {
  return {
    ping: db.prepare<[], { ok: number }>('SELECT 1 AS ok'),
    selectSearch: db.prepare<[string], SearchRow>(`SELECT ${SEARCH_COLUMNS} FROM searches WHERE id = ?`),
    selectRunning: db.prepare<[], SearchRow>(
      `SELECT ${SEARCH_COLUMNS} FROM searches WHERE status = 'running' ORDER BY created_at, id`,
    ),
    selectResults: db.prepare<[string], ResultRow>(
      'SELECT * FROM results WHERE search_id = ? ORDER BY pk',
    ),
    selectEvents: db.prepare<[string], EventRow>('SELECT * FROM events WHERE search_id = ? ORDER BY seq'),
    selectEventsAfter: db.prepare<[string, number], EventRow>(
      'SELECT * FROM events WHERE search_id = ? AND seq > ? ORDER BY seq',
    ),
    // Both walk searches_by_scan: the newest completed search of the key before the given time.
    selectPrevious: db.prepare<[{ scanKey: string; before: number }], SearchRow>(`
      SELECT ${SEARCH_COLUMNS} FROM searches
      WHERE scan_key = @scanKey AND status = 'completed' AND created_at < @before
      ORDER BY created_at DESC, id DESC LIMIT 1`),
    selectPreviousOfOwner: db.prepare<[{ scanKey: string; before: number; sameOwnerAs: string }], SearchRow>(`
      SELECT ${SEARCH_COLUMNS} FROM searches
      WHERE scan_key = @scanKey AND status = 'completed' AND created_at < @before
        AND id IN (SELECT search_id FROM owners WHERE owner = (SELECT owner FROM owners WHERE search_id = @sameOwnerAs))
      ORDER BY created_at DESC, id DESC LIMIT 1`),
    selectBulkRun: db.prepare<[string], { record: string }>('SELECT record FROM bulk_runs WHERE id = ?'),
    // The run's search ids as a JSON array: one statement, however many rows the run has.
    selectBulkSearches: db.prepare<[string], { id: string; status: string; summary: string }>(
      'SELECT id, status, summary FROM searches WHERE id IN (SELECT value FROM json_each(?))',
    ),
  };
}

/** Brings the schema of `db` to `SQLITE_SCHEMA_VERSION`, under a write lock. */
function migrate(db: Database.Database, file: string): void {
  // Migration 4 gives the searches already stored their scan key from their query.
  db.function('sitescan_scan_key', { deterministic: true }, (query: unknown) => scanKeyOf(JSON.parse(String(query)) as BusinessQuery));
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true });
    if (typeof version !== 'number' || version > MIGRATIONS.length) {
      throw new Error(
        `${file} has schema version ${String(version)}; this sitescan knows up to ${MIGRATIONS.length}`,
      );
    }
    for (const migration of MIGRATIONS.slice(version)) db.exec(migration);
    if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/**
 * The FTS5 query for a history `q`: its words under the rule of `search-words.ts`, each quoted as
 * a string so no character is FTS syntax. Unfolded: the table's tokenizer folds them as it folded
 * the stored text. Undefined when `q` has no words.
 */
function toFtsQuery(q: string): string | undefined {
  const query = wordsQuery(splitWords(q));
  if (!query) return undefined;
  return [...query.whole.map((word) => `"${word}"`), `"${query.prefix}"*`].join(' ');
}




function toSearch(row: SearchRow): Search {
  return {
    id: row.id,
    query: JSON.parse(row.query) as BusinessQuery,
    priority: row.priority as SearchPriority,
    status: row.status as SearchStatus,
    createdAt: row.created_at,
    ...(row.completed_at === null ? {} : { completedAt: row.completed_at }),
    deadlineAt: row.deadline_at,
    summary: JSON.parse(row.summary) as SearchSummary,
  };
}


function toResult(row: ResultRow): SiteResult {
  return {
    siteId: row.site_id,
    siteName: row.site_name,
    sandbox: row.sandbox === 1,
    status: row.status as SiteJobStatus,
    ...(row.outcome === null ? {} : { outcome: row.outcome as Outcome }),
    attempts: row.attempts,
    ...(row.latency_ms === null ? {} : { latencyMs: row.latency_ms }),
    ...(row.error === null ? {} : { error: row.error }),
    ...(row.listing === null ? {} : { listing: JSON.parse(row.listing) as SiteResult['listing'] }),
    ...(row.fields === null ? {} : { fields: JSON.parse(row.fields) as SiteResult['fields'] }),
  };
}

function toEvent(row: EventRow): SearchEvent {
  // Written from a typed event by the event log: the row holds one, as it was.
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    ...(row.site_id === null ? {} : { siteId: row.site_id }),
    ...(row.data === null ? {} : { data: JSON.parse(row.data) as unknown }),
  } as SearchEvent;
}
