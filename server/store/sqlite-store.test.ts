import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Search } from '../../lib/types';
import { ValidationError } from '../errors';
import { scanKeyOf } from './scan-key';
import { SQLITE_SCHEMA_VERSION, SqliteStore } from './sqlite-store';
import {
  T0,
  asSiteResult,
  describeStoreConformance,
  makeEvent,
  makeResult,
  makeSearch,
  searchId,
} from './store-conformance';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sitescan-store-'));
}

describeStoreConformance('SqliteStore', async () => {
  const dir = await tempDir();
  const file = join(dir, 'sitescan.db');
  return {
    store: new SqliteStore({ file }),
    reopen: async () => new SqliteStore({ file }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStore', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir, 'sitescan.db');
    store = new SqliteStore({ file });
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A second connection to the same file, to look at what the store wrote. */
  function inspect<T>(read: (db: Database.Database) => T): T {
    const db = new Database(file, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  async function idsFor(q: string): Promise<string[]> {
    return (await store.listSearches({ q, limit: 100 })).items.map((item) => item.id);
  }

  describe('opening', () => {
    it('uses WAL and stores the schema version', () => {
      const pragmas = inspect((db) => ({
        journalMode: db.pragma('journal_mode', { simple: true }),
        userVersion: db.pragma('user_version', { simple: true }),
      }));

      expect(pragmas).toStrictEqual({ journalMode: 'wal', userVersion: SQLITE_SCHEMA_VERSION });
      expect(SQLITE_SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    });

    it('opens an existing file again without touching its data or version', async () => {
      await store.write({ searches: [makeSearch(searchId(1))] });
      await store.close();

      for (let i = 0; i < 2; i++) {
        store = new SqliteStore({ file });
        await store.close();
      }
      store = new SqliteStore({ file });

      expect((await store.listSearches()).items.map((item) => item.id)).toStrictEqual([searchId(1)]);
      expect(inspect((db) => db.pragma('user_version', { simple: true }))).toBe(SQLITE_SCHEMA_VERSION);
    });

    it('refuses a file from a newer schema, naming both versions', async () => {
      await store.close();
      const db = new Database(file);
      db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
      db.close();

      expect(() => new SqliteStore({ file })).toThrow(
        `has schema version ${SQLITE_SCHEMA_VERSION + 1}; this sitescan knows up to ${SQLITE_SCHEMA_VERSION}`,
      );
    });

    it('gives the searches of a version-3 file their scan key when it migrates it', async () => {
      const joes = makeSearch(searchId(1), { query: { name: "Joe's Pizza", location: 'Brooklyn' } });
      await store.write({ searches: [joes] });
      await store.close();
      // The file as sitescan left it before scan keys: no column, no index, version 3.
      const db = new Database(file);
      db.exec('DROP INDEX searches_by_scan; ALTER TABLE searches DROP COLUMN scan_key');
      db.pragma('user_version = 3');
      db.close();

      store = new SqliteStore({ file });

      const previous = await store.previousScan({ scanKey: scanKeyOf({ name: 'JOES PIZZA', location: 'brooklyn' }), before: joes.createdAt + 1 });
      expect(previous?.search).toStrictEqual(joes);
      expect(inspect((db) => db.pragma('user_version', { simple: true }))).toBe(SQLITE_SCHEMA_VERSION);
    });

    it('works in memory', async () => {
      const memory = new SqliteStore({ file: ':memory:' });
      try {
        await memory.write({ searches: [makeSearch(searchId(1))], events: [makeEvent(searchId(1), 1)] });

        expect((await memory.getSearch(searchId(1)))?.events).toHaveLength(1);
      } finally {
        await memory.close();
      }
    });

    it('rejects an empty file option with a message naming it', () => {
      expect(() => new SqliteStore({ file: ' ' })).toThrow(ValidationError);
      expect(() => new SqliteStore({ file: '' })).toThrow(/Expected `file` to be a path/);
    });

    it('open(dataDir) creates the directory and sitescan.db inside it', async () => {
      const dataDir = join(dir, 'nested', 'data');
      const opened = await SqliteStore.open(dataDir);
      try {
        await opened.write({ searches: [makeSearch(searchId(7))] });

        expect(existsSync(join(dataDir, 'sitescan.db'))).toBe(true);
        expect(await opened.getSearch(searchId(7))).toBeDefined();
      } finally {
        await opened.close();
      }
    });
  });

  describe('write', () => {
    it('applies a batch in one transaction: a failing row rolls back the whole batch', async () => {
      const good = makeSearch(searchId(1));
      const bad = { ...makeSearch(searchId(2)), status: 'exploded' } as unknown as Search;

      await expect(
        store.write({
          searches: [good, bad],
          results: [makeResult(searchId(1), 'alpha.example')],
          events: [makeEvent(searchId(1), 1)],
        }),
      ).rejects.toThrow(/CHECK constraint failed/);

      expect(await store.getSearch(searchId(1))).toBeUndefined();
      expect(await store.eventsAfter(searchId(1), 0)).toStrictEqual([]);
      expect(inspect((db) => db.prepare('SELECT count(*) AS n FROM search_fts').get())).toStrictEqual({ n: 0 });
    });

    it('rejects an event that breaks a constraint instead of dropping it silently', async () => {
      const broken = { ...makeEvent(searchId(1), 1), type: null } as unknown as ReturnType<typeof makeEvent>;

      await expect(store.write({ events: [broken] })).rejects.toThrow(/NOT NULL/);
    });

    it('keeps exactly one FTS row per search through renames', async () => {
      const id = searchId(1);
      for (const name of ['First Name', 'Second Name', 'Third Name', 'Third Name']) {
        await store.write({ searches: [makeSearch(id, { query: { name, location: 'Reno' } })] });
      }
      await store.write({ searches: [makeSearch(searchId(2), { query: { name: 'Other', location: undefined } })] });

      expect(inspect((db) => db.prepare('SELECT count(*) AS n FROM search_fts').get())).toStrictEqual({ n: 2 });
      expect(await idsFor('first')).toStrictEqual([]);
      expect(await idsFor('second')).toStrictEqual([]);
      expect(await idsFor('third reno')).toStrictEqual([id]);
      expect(inspect((db) => db.prepare("SELECT integrity_check FROM pragma_integrity_check").get())).toStrictEqual({
        integrity_check: 'ok',
      });
    });

    it('reindexes a search whose location alone changes', async () => {
      const id = searchId(1);
      await store.write({ searches: [makeSearch(id, { query: { name: 'Diner', location: 'Reno' } })] });
      await store.write({ searches: [makeSearch(id, { query: { name: 'Diner', location: 'Boise' } })] });

      expect(await idsFor('reno')).toStrictEqual([]);
      expect(await idsFor('boise')).toStrictEqual([id]);
    });

    it('stores nested objects as JSON columns', async () => {
      const id = searchId(1);
      await store.write({ searches: [makeSearch(id)], results: [makeResult(id, 'alpha.example')] });

      const row = inspect((db) =>
        db
          .prepare<[], { query: string; listing: string }>(
            'SELECT s.query, r.listing FROM searches s JOIN results r ON r.search_id = s.id',
          )
          .get(),
      );

      expect(JSON.parse(row?.query ?? 'null')).toStrictEqual(makeSearch(id).query);
      expect(JSON.parse(row?.listing ?? 'null')).toStrictEqual(asSiteResult(makeResult(id, 'alpha.example')).listing);
    });
  });

  describe('history search', () => {
    beforeEach(async () => {
      await store.write({
        searches: [
          makeSearch(searchId(1), { createdAt: T0 + 1, query: { name: 'Café Ñandú', location: 'Zürich' } }),
          makeSearch(searchId(2), { createdAt: T0 + 2, query: { name: 'ﬁne Pizza', location: undefined } }),
          makeSearch(searchId(3), { createdAt: T0 + 3, query: { name: 'Cafe\u0301 Noir', location: 'Paris' } }),
        ],
      });
    });

    it('ignores diacritics', async () => {
      expect(await idsFor('cafe')).toStrictEqual([searchId(3), searchId(1)]);
      expect(await idsFor('nandu zurich')).toStrictEqual([searchId(1)]);
    });

    it('matches compatibility forms (NFKC) on both sides', async () => {
      expect(await idsFor('fine')).toStrictEqual([searchId(2)]);
      expect(await idsFor('ｐｉｚｚａ')).toStrictEqual([searchId(2)]);
    });

    it('treats composed and decomposed accents alike', async () => {
      expect(await idsFor('café noir')).toStrictEqual([searchId(3)]);
      expect(await idsFor('cafe\u0301 ñandu\u0301')).toStrictEqual([searchId(1)]);
    });

    it('filters nothing for a q made only of symbols', async () => {
      expect(await idsFor('🍕 ★ — …')).toStrictEqual([searchId(3), searchId(2), searchId(1)]);
    });
  });

  describe('cursor', () => {
    it('is opaque base64url', async () => {
      await store.write({ searches: [1, 2, 3].map((n) => makeSearch(searchId(n), { createdAt: T0 + n })) });

      const page = await store.listSearches({ limit: 1 });

      expect(page.next).toMatch(/^[A-Za-z0-9_-]+$/);
    });

    it.each([
      ['wrong element types', Buffer.from('["1", 2]').toString('base64url')],
      ['a non-finite time', Buffer.from('[null, "x"]').toString('base64url')],
      ['an empty string', ''],
      ['padding characters', 'WzEsIngiXQ=='],
    ])('rejects %s with a message naming `cursor`', async (_label, cursor) => {
      await expect(store.listSearches({ cursor })).rejects.toThrow(/Expected `cursor`/);
    });
  });

  describe('health', () => {
    it('reports kind sqlite, and degraded once closed', async () => {
      expect(await store.health()).toStrictEqual({ status: 'ok', kind: 'sqlite' });

      await store.close();

      expect(await store.health()).toMatchObject({ status: 'degraded', kind: 'sqlite', detail: expect.any(String) });
    });
  });
});
