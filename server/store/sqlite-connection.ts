/**
 * How sitescan opens a SQLite connection, the same on every thread that uses the store's file.
 */
import Database from 'better-sqlite3';

/**
 * How long a connection waits for another one's lock before SQLITE_BUSY. The store has a reader
 * and a writer connection; in WAL mode they rarely wait on each other (checkpoints, migrations).
 */
const BUSY_TIMEOUT_MS = 5_000;

/** Opens `file` in WAL mode with sitescan's settings; closes it again when a setting fails. */
export function openSqlite(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a power loss may drop the last commits but never corrupts the file.
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
