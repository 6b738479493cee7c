/**
 * The embedded Store: one SQLite file (better-sqlite3) in WAL mode, history search on FTS5.
 *
 *   write(batch) ──► one transaction ──► searches ──► search_fts (contentless, rowid = searches.pk)
 *                                        results      (upsert by (search_id, site_id))
 *                                        events       (insert by (search_id, seq), first one stays)
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
import Database from 'better-sqlite3';
import type {
  BusinessQuery,
  Search,
  SearchEvent,
  SearchEventType,
  SearchListItem,
  SearchPriority,
  SearchSnapshot,
  SearchStatus,
  SearchSummary,
  SiteJobStatus,
  SiteResult,
  Outcome,
} from '../../lib/types';
import { ValidationError } from '../errors';
import { clampLimit, decodeCursor, encodeCursor, toListItem, type Position } from './history-page';
import { logger } from '../logger';
import type {
  ListSearchesOptions,
  SearchPage,
  Store,
  StoreBatch,
  StoreHealth,
  StoredEvent,
  StoredSiteResult,
} from './store';

/** Options of `SqliteStore`. */
export interface SqliteStoreOptions {
  /** Path of the database file, created if missing; `':memory:'` for a throwaway store. */
  readonly file: string;
}


/**
 * Schema migrations; entry `i` takes `user_version` from `i` to `i + 1`. Append, never edit.
 * Statements use IF NOT EXISTS so a second process racing the first open is harmless.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS searches (
    -- An explicit INTEGER PRIMARY KEY: search_fts rows point at it and VACUUM must not renumber it.
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    location TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'cancelled', 'interrupted')),
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

interface FtsSourceRow {
  readonly pk: number;
  readonly name: string;
  readonly location: string | null;
}


/** Bind parameters of the history query; each shape of filter has its own statement. */
interface ListParams {
  match?: string;
  status?: SearchStatus;
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
  private readonly applyBatch: Database.Transaction<(batch: StoreBatch) => void>;
  private readonly readSnapshot: Database.Transaction<(id: string) => SearchSnapshot | undefined>;
  private readonly readRunning: Database.Transaction<() => SearchSnapshot[]>;

  /**
   * Opens (creating if needed) the database at `options.file` and migrates its schema.
   * Throws `ValidationError` for a bad option and an `Error` for a file from a newer sitescan.
   */
  constructor(options: SqliteStoreOptions) {
    const file: unknown = options?.file;
    if (typeof file !== 'string' || file.trim() === '') {
      throw new ValidationError(`Expected \`file\` to be a path or ':memory:', got ${JSON.stringify(file)}`);
    }
    this.db = new Database(file);
    try {
      this.db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a power loss may drop the last commits but never corrupts the file.
      this.db.pragma('synchronous = NORMAL');
      migrate(this.db, file);
    } catch (error) {
      this.db.close();
      throw error;
    }

    this.statements = prepareStatements(this.db);

    this.applyBatch = this.db.transaction((batch: StoreBatch) => {
      for (const search of batch.searches ?? []) this.upsertSearch(search);
      for (const result of batch.results ?? []) this.statements.upsertResult.run(resultParams(result));
      for (const event of batch.events ?? []) this.statements.insertEvent.run(eventParams(event));
    });
    // Reads in a transaction see one consistent state even while another process writes.
    this.readSnapshot = this.db.transaction((id: string) => this.snapshotOf(id));
    this.readRunning = this.db.transaction(() =>
      this.statements.selectRunning.all().map((row) => this.snapshotWith(toSearch(row))),
    );
  }

  /** Opens the store of a data directory, `<dataDir>/sitescan.db`, creating the directory. */
  static async open(dataDir: string): Promise<SqliteStore> {
    await mkdir(dataDir, { recursive: true });
    return new SqliteStore({ file: join(dataDir, 'sitescan.db') });
  }

  async write(batch: StoreBatch): Promise<void> {
    this.applyBatch(batch);
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
    if (after !== undefined) {
      params.createdAt = after.createdAt;
      params.id = after.id;
    }

    const rows = this.listStatement(match !== undefined, options.status !== undefined, after !== undefined).all(
      params,
    );
    const items = rows.slice(0, limit).map((row) => toListItem(toSearch(row)));
    const last = items.at(-1);
    return rows.length > limit && last ? { items, next: encodeCursor(last) } : { items };
  }

  async listRunning(): Promise<readonly SearchSnapshot[]> {
    return this.readRunning();
  }

  async health(): Promise<StoreHealth> {
    try {
      this.statements.ping.get();
      return { status: 'ok', kind: 'sqlite' };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.log.warn({ err: error, file: this.db.name }, 'sqlite health check failed');
      return { status: 'degraded', kind: 'sqlite', detail };
    }
  }

  /** Closes the database; every write has already been committed. Calling it twice is harmless. */
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private upsertSearch(search: Search): void {
    const name = search.query.name;
    const location = search.query.location ?? null;
    const before = this.statements.ftsSource.get(search.id);
    const upserted = this.statements.upsertSearch.get({
      id: search.id,
      name,
      location,
      status: search.status,
      priority: search.priority,
      createdAt: search.createdAt,
      completedAt: search.completedAt ?? null,
      deadlineAt: search.deadlineAt,
      query: JSON.stringify(search.query),
      summary: JSON.stringify(search.summary),
    });
    if (!upserted) throw new Error(`upsert of search ${search.id} returned no row`);
    if (before && before.name === name && before.location === location) return;
    if (before) this.statements.ftsDelete.run(before.pk);
    this.statements.ftsInsert.run(upserted.pk, name.normalize('NFKC'), location?.normalize('NFKC') ?? null);
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
  private listStatement(byText: boolean, byStatus: boolean, afterCursor: boolean) {
    const key = `${+byText}${+byStatus}${+afterCursor}`;
    let statement = this.listStatements.get(key);
    if (!statement) {
      const where = [
        byText && 'pk IN (SELECT rowid FROM search_fts WHERE search_fts MATCH @match)',
        byStatus && 'status = @status',
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

/** Every fixed statement of the store, prepared once. */
function prepareStatements(db: Database.Database) {
  return {
    ping: db.prepare<[], { ok: number }>('SELECT 1 AS ok'),
    ftsSource: db.prepare<[string], FtsSourceRow>('SELECT pk, name, location FROM searches WHERE id = ?'),
    upsertSearch: db.prepare<[Record<string, unknown>], { pk: number }>(`
      INSERT INTO searches (id, name, location, status, priority, created_at, completed_at, deadline_at, query, summary)
      VALUES (@id, @name, @location, @status, @priority, @createdAt, @completedAt, @deadlineAt, @query, @summary)
      ON CONFLICT (id) DO UPDATE SET
        name = excluded.name, location = excluded.location, status = excluded.status,
        priority = excluded.priority, created_at = excluded.created_at,
        completed_at = excluded.completed_at, deadline_at = excluded.deadline_at,
        query = excluded.query, summary = excluded.summary
      RETURNING pk`),
    ftsDelete: db.prepare<[number]>('DELETE FROM search_fts WHERE rowid = ?'),
    ftsInsert: db.prepare<[number, string, string | null]>(
      'INSERT INTO search_fts (rowid, name, location) VALUES (?, ?, ?)',
    ),
    upsertResult: db.prepare<[Record<string, unknown>]>(`
      INSERT INTO results (search_id, site_id, site_name, sandbox, status, outcome, attempts, latency_ms, error, listing, fields)
      VALUES (@searchId, @siteId, @siteName, @sandbox, @status, @outcome, @attempts, @latencyMs, @error, @listing, @fields)
      ON CONFLICT (search_id, site_id) DO UPDATE SET
        site_name = excluded.site_name, sandbox = excluded.sandbox, status = excluded.status,
        outcome = excluded.outcome, attempts = excluded.attempts, latency_ms = excluded.latency_ms,
        error = excluded.error, listing = excluded.listing, fields = excluded.fields`),
    // DO NOTHING rather than INSERT OR IGNORE: OR IGNORE would also silently drop an event that
    // breaks a NOT NULL constraint, where only the (search_id, seq) conflict is meant.
    insertEvent: db.prepare<[Record<string, unknown>]>(`
      INSERT INTO events (search_id, seq, at, type, site_id, data)
      VALUES (@searchId, @seq, @at, @type, @siteId, @data)
      ON CONFLICT (search_id, seq) DO NOTHING`),
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
  };
}

/** Brings the schema of `db` to `SQLITE_SCHEMA_VERSION`, under a write lock. */
function migrate(db: Database.Database, file: string): void {
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
 * The FTS5 query for a history `q`: its words (runs of letters, digits and marks, after NFKC),
 * each quoted as a string so no character is FTS syntax, all required, the last as a prefix.
 * Undefined when `q` has no words.
 */
function toFtsQuery(q: string): string | undefined {
  const words = q.normalize('NFKC').match(/[\p{L}\p{N}\p{M}\p{Co}]+/gu);
  if (!words) return undefined;
  return words.map((word, i) => `"${word}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}




function resultParams(result: StoredSiteResult): Record<string, unknown> {
  return {
    searchId: result.searchId,
    siteId: result.siteId,
    siteName: result.siteName,
    sandbox: result.sandbox ? 1 : 0,
    status: result.status,
    outcome: result.outcome ?? null,
    attempts: result.attempts,
    latencyMs: result.latencyMs ?? null,
    error: result.error ?? null,
    listing: result.listing === undefined ? null : JSON.stringify(result.listing),
    fields: result.fields === undefined ? null : JSON.stringify(result.fields),
  };
}

function eventParams(event: StoredEvent): Record<string, unknown> {
  return {
    searchId: event.searchId,
    seq: event.seq,
    at: event.at,
    type: event.type,
    siteId: event.siteId ?? null,
    data: event.data === undefined ? null : JSON.stringify(event.data),
  };
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
  return {
    seq: row.seq,
    at: row.at,
    type: row.type as SearchEventType,
    ...(row.site_id === null ? {} : { siteId: row.site_id }),
    ...(row.data === null ? {} : { data: JSON.parse(row.data) as SearchEvent['data'] }),
  };
}
