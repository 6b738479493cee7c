/**
 * Three real sitescan nodes on one Redis and one Elasticsearch, searching one strict site (the
 * bench sites: exact limits, every violation counted on arrival): limits hold across the nodes,
 * any node serves and streams any search, and a search outlives a node killed outright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { killAllChildren } from '../../scripts/support/child-process';
import type { RecentAck } from '../../lib/socket-events';
import type { SearchEvent, SearchListItem, SearchSnapshot } from '../../lib/types';
import { startBenchSites, type BenchSites } from '../../bench/start-bench-sites';
import { isContiguous, ProcessCluster } from './testing/process-cluster';
import { withServices } from '../../scripts/testing/with-services';
// @ts-expect-error -- a plain .mjs script without types
import { buildIfNeeded } from '../../scripts/build-if-needed.mjs';

const SITE = 'strict.test';

/** A log received over a socket (backlog and live events may overlap or cross), by seq. */
function bySeq(events: readonly SearchEvent[]): SearchEvent[] {
  return [...new Map(events.map((event) => [event.seq, event])).values()].sort((a, b) => a.seq - b.seq);
}

function expectEveryJobDone(snapshot: SearchSnapshot): void {
  expect(isContiguous(snapshot.events), `${snapshot.search.id}: seqs 1…n`).toBe(true);
  expect(snapshot.search.status).toBe('completed');
  const statuses = snapshot.results.map((result) => `${result.status}${result.error ? `: ${result.error}` : ''}`);
  expect(statuses, JSON.stringify(snapshot.events.slice(1))).toEqual(['done']);
}

// Cluster mode needs the shared store as well as Redis.
withServices('cluster of node processes', ['redis', 'elasticsearch'], ({ redis: redisUrl, elasticsearch: elasticsearchUrl }) => {
  // Real node processes (Next included) on 2 shared cores: minutes, not the default 20 s.
  describe('three nodes, one strict site', { timeout: 180_000 }, () => {
    let sites: BenchSites;
    let cluster: ProcessCluster | undefined;

    beforeAll(async () => {
      // The nodes serve the REST API through the production build.
      (buildIfNeeded as () => boolean)();
      sites = await startBenchSites([{ id: SITE, limits: { concurrency: 2, requests: 5, perMs: 1000 }, latencyMs: { min: 40, max: 120 } }]);
    }, 600_000);
    afterEach(async () => {
      await cluster?.stop();
      cluster = undefined;
      await sites.reset();
    });
    afterAll(() => {
      sites.close();
      // A test that failed half-way must not leave nodes taking the next run's jobs.
      killAllChildren();
    });

    const start = async (db: number) => {
      cluster = await ProcessCluster.start({ redisUrl, db, elasticsearchUrl, sites: sites.definitions, nodes: 3 });
      return cluster;
    };

    it('keeps the site limit across nodes, and streams a search to sockets on other nodes', async () => {
      const { nodes } = await start(11);
      const [one, two, three] = nodes as [typeof nodes[0], typeof nodes[0], typeof nodes[0]];
      const watcher = await cluster!.socket(three);
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        ids.push(await cluster!.create(nodes[i % 3]!, { name: `Cluster Business ${i}`, sites: [SITE], priority: 'bulk' }));
      }
      const fromOne = ids.filter((_, i) => i % 3 === 0);
      const streamed = await cluster!.follow(watcher, ids);

      for (const id of ids) expectEveryJobDone(await cluster!.get(two, id));
      // Node 3's socket saw every event of the searches node 1 created, in a log with no hole.
      for (const id of fromOne) {
        const served = await cluster!.get(one, id);
        expect(bySeq(streamed.get(id)!)).toEqual(served.events);
      }
      // The operations view of any node lists every node, and its metrics say which node they are.
      const view = (await (await fetch(`${two.url}/api/sites`)).json()) as { cluster: { nodes: { id: string }[] } };
      expect(view.cluster.nodes.map((node) => node.id).sort()).toEqual(['node-1', 'node-2', 'node-3']);
      expect(await (await fetch(`${three.url}/metrics`)).text()).toMatch(/^sitescan_searches_running\{node="node-3"\} \d+$/m);
      const seen = (await sites.stats())[SITE]!;
      expect({ refused: seen.refused, exceeded: seen.exceeded, arrivals: seen.arrivals.length }).toEqual({
        refused: 0,
        exceeded: false,
        arrivals: 30,
      });
      expect(seen.maxArrivalsInWindow).toBeLessThanOrEqual(5);
    });

    it("shows a search started on one node in the recent list of another node's home page, from its start to its end", async () => {
      cluster = await ProcessCluster.start({ redisUrl, db: 14, elasticsearchUrl, sites: sites.definitions, nodes: 2 });
      const [one, two] = cluster.nodes as [ReturnType<ProcessCluster['node']>, ReturnType<ProcessCluster['node']>];
      const home = await cluster.socket(two);
      const pushed: SearchListItem[] = [];
      home.on('recent:changed', (items) => pushed.push(...items));
      const ack = await new Promise<RecentAck>((resolve) => home.emit('recent:subscribe', resolve));
      expect(ack).toEqual({ ok: true, items: [] });

      const id = await cluster.create(one, { name: 'Cross Node Bakery', sites: [SITE] });
      await expect.poll(() => pushed.some((item) => item.id === id && item.status !== 'running'), { timeout: 30_000 }).toBe(true);
      const stored = await cluster.get(two, id);
      const lines = pushed.filter((item) => item.id === id);
      // Its start, pushed by node 1 through the adapter; then its end, whichever node ended it.
      expect(lines[0]).toMatchObject({ status: 'running', query: { name: 'Cross Node Bakery' } });
      expect(lines.at(-1)).toMatchObject({ status: 'completed', summary: stored.search.summary });
    });

    it('finishes every search when a node is killed outright while they are queued', async () => {
      const { nodes } = await start(12);
      const ids: string[] = [];
      for (let i = 0; i < 24; i++) {
        ids.push(await cluster!.create(nodes[i % 3]!, { name: `Survivor ${i}`, sites: [SITE], priority: 'bulk' }));
      }
      // 24 jobs at 5 a second: about 5 s of work, most of it still queued.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await cluster!.kill(cluster!.node('node-1'));
      const survivor = cluster!.node('node-2');
      const streamed = await cluster!.follow(await cluster!.socket(survivor), ids);
      for (const id of ids) {
        const snapshot = await cluster!.get(survivor, id);
        expectEveryJobDone(snapshot);
        expect(bySeq(streamed.get(id)!)).toEqual(snapshot.events);
      }
      const seen = (await sites.stats())[SITE]!;
      expect({ refused: seen.refused, exceeded: seen.exceeded }).toEqual({ refused: 0, exceeded: false });
    });

    it('loses nothing when Redis stops mid-run and comes back, and answers 503 meanwhile', async () => {
      const redis = await PrivateRedis.start();
      try {
        cluster = await ProcessCluster.start({ redisUrl: redis.url, db: 0, elasticsearchUrl, sites: sites.definitions, nodes: 2 });
        const [one, two] = cluster.nodes as [ReturnType<ProcessCluster['node']>, ReturnType<ProcessCluster['node']>];
        const ids: string[] = [];
        for (let i = 0; i < 16; i++) ids.push(await cluster.create(cluster.nodes[i % 2]!, { name: `Outage ${i}`, sites: [SITE], priority: 'bulk' }));
        await new Promise((resolve) => setTimeout(resolve, 800));
        await redis.stop();

        const health = (await (await fetch(`${one.url}/api/health`)).json()) as { status: string; cluster: { redis: string } };
        expect({ status: health.status, redis: health.cluster.redis }).toEqual({ status: 'degraded', redis: 'unreachable' });
        const refused = await fetch(`${two.url}/api/searches`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'During the outage', sites: [SITE] }),
        });
        expect(refused.status).toBe(503);
        expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/Redis is unreachable/);

        await redis.restart();
        const streamed = await cluster.follow(await cluster.socket(two), ids);
        for (const id of ids) {
          const snapshot = await cluster.get(one, id);
          expectEveryJobDone(snapshot);
          expect(bySeq(streamed.get(id)!)).toEqual(snapshot.events);
        }
        const seen = (await sites.stats())[SITE]!;
        expect({ refused: seen.refused, exceeded: seen.exceeded }).toEqual({ refused: 0, exceeded: false });
      } finally {
        await cluster?.stop();
        cluster = undefined;
        await redis.close();
      }
    });
  });
});

/**
 * A free port below the ephemeral range. While the test's Redis is down, the nodes reconnect
 * many times a second, and a client socket on loopback whose ephemeral port happens to be the
 * one it dials connects to itself (TCP simultaneous open) and holds the port: seen here, Redis
 * then could not listen again. Ports the kernel never hands out avoid that.
 */
async function freeFixedPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port from 20000 to 29999');
}

/** A Redis server of the test's own, with AOF, that it can stop and start again. */
class PrivateRedis {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freeFixedPort(), await mkdtemp(path.join(tmpdir(), 'sitescan-redis-')));
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server on its port and data dir, and waits until it answers. */
  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--save', ''];
    const server = spawn('redis-server', args, { stdio: 'ignore' });
    this.process = server;
    for (let attempt = 0; ; attempt++) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch (error) {
        if (attempt >= 100 || server.exitCode !== null) {
          throw new Error(`redis-server did not start on port ${this.port} (exit ${server.exitCode})`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
  }

  /** Stops the server as an operator would (SIGTERM: it writes its AOF and exits). */
  async stop(): Promise<void> {
    const process = this.process;
    if (!process || process.exitCode !== null) return;
    const exited = new Promise((resolve) => process.once('exit', resolve));
    process.kill('SIGTERM');
    await exited;
  }

  async close(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
