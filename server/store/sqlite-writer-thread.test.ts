import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store';
import { makeEvent, makeSearch, searchId } from './store-conformance';

describe('SqliteStore writer thread', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sitescan-writer-'));
    store = await SqliteStore.open(dir);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const thread = () => (store as unknown as { writer: { worker?: Worker } }).writer;

  it('is up before the first write, and applies writes in the order they were made', async () => {
    // A thread started only by the first write would never say `ready` here.
    const fresh = new SqliteStore({ file: join(dir, 'fresh.db') });
    await expect(fresh.ready()).resolves.toBeUndefined();
    await fresh.close();
    const id = searchId(1);
    const writes = [store.write({ searches: [makeSearch(id)] }), ...[1, 2, 3].map((seq) => store.write({ events: [makeEvent(id, seq)] }))];
    await Promise.all(writes);
    expect((await store.eventsAfter(id, 0)).map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it('starts a new thread for the next write when its thread has died, and says so meanwhile', async () => {
    const id = searchId(2);
    await store.write({ searches: [makeSearch(id)], events: [makeEvent(id, 1)] });
    const dying = thread().worker!;
    // Killed while idle: terminating a thread inside a native SQLite call that then fails
    // aborts the whole process (better-sqlite3 throws into a dying isolate), which is why close()
    // only terminates after the thread has closed its connection.
    const exited = new Promise((resolve) => dying.once('exit', resolve));
    await dying.terminate();
    await exited;
    expect(await store.health()).toMatchObject({ status: 'degraded', detail: expect.stringMatching(/exited/) });

    await store.write({ events: [makeEvent(id, 2)] });
    expect(thread().worker).toBeDefined();
    expect(thread().worker).not.toBe(dying);
    expect((await store.eventsAfter(id, 0)).map((event) => event.seq)).toEqual([1, 2]);
    expect(await store.health()).toMatchObject({ status: 'ok' });
  });
});
