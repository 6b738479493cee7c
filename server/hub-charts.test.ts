import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChartHistory, ChartSample } from '../lib/chart-samples';
import { connectClient, pushesUntil, type HubClient } from './hub-test-client';
import { startTestSitescan, type TestSitescan } from './test-support';

let app: TestSitescan;
const sockets: HubClient[] = [];

beforeAll(async () => {
  app = await startTestSitescan();
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await app.dispose();
});

const client = () => connectClient(app.url, sockets);

const subscribeCharts = (socket: HubClient) => new Promise<ChartHistory>((resolve) => socket.emit('charts:subscribe', resolve));

/** Samples pushed to `socket` until `done` holds for one of them (that one last). */
const samplesUntil = (socket: HubClient, done: (sample: ChartSample) => boolean) =>
  pushesUntil(socket, 'charts:sample', (samples) => done(samples.at(-1)!));

// Needs server/index.ts to start a ChartSampler and hand it to the hub.
describe('Socket.IO hub: the live charts of /sites', () => {
  it('acks with the samples kept, then pushes one a second that follow what the instance does', async () => {
    // The sampler runs from start: a second in, a watcher gets history, not an empty chart.
    const early = await client();
    const firstPush = samplesUntil(early, () => true);
    await subscribeCharts(early);
    await firstPush;
    const socket = await client();
    const history = await subscribeCharts(socket);
    expect(history).toMatchObject({ intervalMs: 1_000, rateWindowMs: 10_000, scope: 'process' });
    expect(history.samples.length).toBeGreaterThan(0);
    const ids = app.services.registry.all().map((connector) => connector.definition.id);
    expect(Object.keys(history.samples.at(-1)!.sites)).toContain('brownbook.net');

    const watching = await client();
    await subscribeCharts(watching);
    const { id } = await app.services.searches.create({ name: 'Charts bakery' });
    // Events of a watched search are pushed, so the sampler measures how late they were.
    await new Promise((resolve) => watching.emit('search:subscribe', { searchId: id, afterSeq: 0 }, resolve));
    await app.services.searches.whenEnded(id);
    const pushed = await samplesUntil(socket, (sample) => sample.searchesPerSec > 0 && sample.siteJobsPerSec > 0);
    const last = pushed.at(-1)!;
    expect(last.at).toBeGreaterThan(history.samples.at(-1)!.at);
    expect(pushed.some((sample) => sample.pushP95Ms !== null && sample.pushP95Ms >= 0)).toBe(true);
    const sites = Object.entries(last.sites);
    expect(sites.every(([siteId]) => ids.includes(siteId))).toBe(true);
    // Each site is [requests/s, kept limit, latency p95 or null until its model has enough answers].
    expect(sites.every(([, [rate, limit, latency]]) => rate >= 0 && limit > 0 && (latency === null || latency > 0))).toBe(true);
    expect(sites.some(([, [rate]]) => rate > 0)).toBe(true);
  });

  it('stops pushing to a client that unsubscribes, and answers a subscribe sent with a payload', async () => {
    const socket = await client();
    const history = await new Promise<ChartHistory>((resolve) =>
      (socket.emit as (...args: unknown[]) => void)('charts:subscribe', { evil: true }, resolve),
    );
    expect(Array.isArray(history.samples)).toBe(true);
    await samplesUntil(socket, () => true);
    socket.emit('charts:unsubscribe');
    // A round trip after the unsubscribe, then two intervals without a push.
    await new Promise((resolve) => socket.emit('sites:subscribe', resolve));
    let after = 0;
    socket.on('charts:sample', () => after++);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(after).toBe(0);
  });
});
