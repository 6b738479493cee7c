/**
 * Inside the SQLite store's writer thread: opens its own connection to the store's file and
 * applies the batches the host posts, one transaction each, in the order they came.
 *
 *   start ─────────────────────────────► open the file ──► {ready} | {ready, error}
 *   host ── {write, id, batch (JSON)} ──► apply ──► {written, id} | {failed, id, message}
 *   host ── {close} ─────────────────────────────► close the connection ──► {closed}
 *
 * The host has already opened and migrated the file, so this thread only writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteBatchWriter } from './sqlite-batch-writer';
import { openSqlite } from './sqlite-connection';
import type { StoreBatch } from './store';

/** What the host hands the writer thread. */
export interface SqliteWriterData {
  readonly file: string;
}

/** A message from the host. */
export type SqliteWriterRequest =
  | { readonly type: 'write'; readonly id: number; readonly batch: string }
  | { readonly type: 'close' };

/** A message to the host. */
export type SqliteWriterReply =
  | { readonly type: 'ready'; readonly error?: string }
  | { readonly type: 'written'; readonly id: number }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
  | { readonly type: 'closed' };

const port = parentPort!;
const { file } = workerData as SqliteWriterData;

let db: Database.Database | undefined;
let writer: SqliteBatchWriter | undefined;
let openError: string | undefined;
try {
  db = openSqlite(file);
  writer = new SqliteBatchWriter(db);
} catch (error) {
  openError = `could not open ${file}: ${error instanceof Error ? error.message : String(error)}`;
}
port.postMessage((openError ? { type: 'ready', error: openError } : { type: 'ready' }) satisfies SqliteWriterReply);

port.on('message', (request: SqliteWriterRequest) => {
  if (request.type === 'close') {
    if (db?.open) db.close();
    port.postMessage({ type: 'closed' } satisfies SqliteWriterReply);
    port.close();
    return;
  }
  let reply: SqliteWriterReply;
  try {
    if (!writer) throw new Error(openError ?? 'writer is closed');
    writer.apply(JSON.parse(request.batch) as StoreBatch);
    reply = { type: 'written', id: request.id };
  } catch (error) {
    reply = { type: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
