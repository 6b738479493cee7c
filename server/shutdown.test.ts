import { describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { isTerminalStatus } from '../lib/types';
import { UnavailableError } from './errors';
import { SqliteStore } from './store/sqlite-store';
import { startTestSitescan } from './test-support';

describe('graceful shutdown', () => {
  it('refuses new work, lets requests in flight finish, interrupts the rest, and loses nothing', async () => {
    const app = await startTestSitescan({ SANDBOX_SPEED: '1', SHUTDOWN_TIMEOUT_MS: '5000', BULK_DEADLINE_MS: '60000' });
    const socket = connect(app.url, { transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const searches = app.services.searches;
    // Enough bulk work that some jobs are in flight and many still wait when the signal comes.
    const directories = app.sandbox!.siteDefinitions().map((site) => site.id);
    const ids = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => (await searches.create({ name: `Shutdown ${i}` }, { priority: 'bulk', sites: directories })).id),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const inFlight = (await Promise.all(ids.map((id) => searches.get(id)))).flatMap((snapshot) =>
      snapshot.results.filter((r) => r.status === 'running').map((r) => [snapshot.search.id, r.siteId] as const),
    );
    expect(inFlight.length).toBeGreaterThan(0);

    const closing = app.close();
    await expect(searches.create({ name: 'Too late' })).rejects.toBeInstanceOf(UnavailableError);
    const started = Date.now();
    await closing;
    expect(Date.now() - started).toBeLessThan(5_000 + 2_000);
    const store = await SqliteStore.open(app.dataDir);
    expect(await disconnected).toBe('io server disconnect');

    for (const id of ids) {
      const snapshot = (await store.getSearch(id))!;
      expect(['completed', 'interrupted']).toContain(snapshot.search.status);
      const seqs = snapshot.events.map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(snapshot.results.every((r) => isTerminalStatus(r.status))).toBe(true);
      for (const result of snapshot.results.filter((r) => r.status === 'failed')) expect(result.error).toBe('interrupted');
    }
    // Every request in flight when the signal came was let finish: its job ended done.
    for (const [searchId, siteId] of inFlight) {
      const snapshot = (await store.getSearch(searchId))!;
      expect(snapshot.results.find((r) => r.siteId === siteId)).toMatchObject({ status: 'done' });
    }
    const done = (await Promise.all(ids.map((id) => store.getSearch(id)))).flatMap((s) => s!.results).filter((r) => r.status === 'done');
    expect(done.length).toBeGreaterThan(0);
    expect((await Promise.all(ids.map((id) => store.getSearch(id)))).some((s) => s!.search.status === 'interrupted')).toBe(true);
    await store.close();
    socket.close();
  }, 30_000);
});
