/**
 * The SQLite store's writes, on a thread of their own.
 *
 *   event log ──write(batch)──► [ host: JSON.stringify, post ] ──► writer thread: one transaction
 *        ▲                                                              │
 *        └──────────── resolves once committed (or rejects) ◄──────────┘
 *
 * Why a thread: better-sqlite3 is synchronous, and in the throughput run's shape (100,000 site
 * jobs) its writes added 4.3 s of event-loop time to the 5.9 s the run took with a store that
 * writes nothing — time in which no request was started, no answer read and no event pushed.
 * The host keeps its own connection for reads; WAL lets them run beside the writer.
 *
 * Invariants:
 * - Batches are applied in the order `write` was called; each resolves only once committed.
 * - If the thread dies, every write it had not answered rejects (naming the exit) and the next
 *   write starts a new thread: the caller retries, and upserts make a retry harmless.
 * - An idle thread does not keep the process alive; one with writes pending does.
 * - The thread starts with the store, not at the first write: its start-up (loading the module
 *   and SQLite, ~200 ms of CPU) would otherwise land in the first burst of searches.
 */
import { Worker } from 'node:worker_threads';
import type { StoreBatch } from './store';
import type { SqliteWriterData, SqliteWriterReply, SqliteWriterRequest } from './sqlite-writer-worker';

/** The SQLite write failed in the writer thread (a constraint, a full disk …). */
export class SqliteWriteError extends Error {
  override readonly name = 'SqliteWriteError';
}

interface PendingWrite {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Applies store batches to `file` on a worker thread. */
export class SqliteWriterThread {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, PendingWrite>();
  /** Settles when the newest write has (writes settle in order). */
  private settled: Promise<unknown> = Promise.resolve();
  private closing?: Promise<void>;
  /** Why the last write failed, until one succeeds (for health). */
  lastFailure?: string;

  private readyPromise: Promise<void>;

  constructor(private readonly file: string) {
    const worker = this.spawn();
    this.worker = worker;
    this.readyPromise = this.whenReady(worker);
    // Awaiting it is optional (SqliteStore.open does); a thread that could not open the file
    // also fails every write, naming why, so nothing is lost by not asking.
    this.readyPromise.catch(() => undefined);
  }

  /** Resolves once the thread has opened the file (rejects, naming why, when it could not). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  private whenReady(worker: Worker): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onMessage = (reply: SqliteWriterReply) => {
        if (reply.type !== 'ready') return;
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        if (reply.error) reject(new SqliteWriteError(reply.error));
        else resolve();
      };
      const onExit = (code: number) => {
        worker.off('message', onMessage);
        reject(new SqliteWriteError(`SQLite writer thread exited with code ${code} before it was ready`));
      };
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
  }

  /** Writes one batch; resolves once it is committed. */
  write(batch: StoreBatch): Promise<void> {
    if (this.closing) return Promise.reject(new Error(`SQLite writer for ${this.file} is closed`));
    const worker = (this.worker ??= this.spawn());
    const id = this.nextId++;
    // One string, not a structured clone of thousands of small objects: cheaper on this thread,
    // which is the one the pipeline runs on.
    const request: SqliteWriterRequest = { type: 'write', id, batch: JSON.stringify(batch) };
    const written = new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage(request);
    });
    // Only to know when it settled; the caller handles the rejection.
    this.settled = written.catch(() => undefined);
    return written;
  }

  /** Waits for the writes in flight, then stops the thread. Calling it twice is harmless. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await this.settled;
    const closed = new Promise<void>((resolve) => {
      worker.on('message', (reply: SqliteWriterReply) => {
        if (reply.type === 'closed') resolve();
      });
      worker.once('exit', () => resolve());
    });
    worker.ref();
    worker.postMessage({ type: 'close' } satisfies SqliteWriterRequest);
    await closed;
    this.worker = undefined;
    await worker.terminate();
  }

  private spawn(): Worker {
    const data: SqliteWriterData = { file: this.file };
    const worker = new Worker(new URL('./sqlite-writer-worker.mjs', import.meta.url), { workerData: data });
    worker.unref();
    worker.on('message', (reply: SqliteWriterReply) => {
      if (reply.type === 'closed' || reply.type === 'ready') return;
      const write = this.pending.get(reply.id);
      if (!write) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.type === 'written') {
        this.lastFailure = undefined;
        write.resolve();
      } else {
        this.lastFailure = reply.message;
        write.reject(new SqliteWriteError(reply.message));
      }
    });
    const fail = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      this.lastFailure = reason;
      const writes = [...this.pending.values()];
      this.pending.clear();
      for (const write of writes) write.reject(new SqliteWriteError(reason));
    };
    worker.on('error', (error) => fail(`SQLite writer thread failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.pending.size > 0 || this.worker === worker) fail(`SQLite writer thread exited with code ${code}`);
    });
    return worker;
  }
}
