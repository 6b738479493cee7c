/**
 * A real cluster for tests and benchmarks: N sitescan node processes (`server/index.ts`, the
 * production build, as `npm start` runs it) on one Redis database and one Elasticsearch index
 * prefix of their own, searching the sites of a SITES_FILE — typically the strict bench sites,
 * which count every limit violation on arrival. The web app must be built (`npm run build`).
 *
 *   test ──HTTP / Socket.IO──▶ node 1 ┐
 *                              node 2 ├──▶ Redis db n (flushed first) + ES indices <prefix>-*
 *                              node 3 ┘──▶ sites (another process)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, LiveSearchEvent, ServerToClientEvents, SubscribeAck } from '../../../lib/socket-events';
import type { SearchEvent, SearchSnapshot } from '../../../lib/types';
import { isSearchEndEvent } from '../../../lib/types';
import { freePort, SERVER_NODE_ARGS, startReadyChild, stopChild, type ReadyChild } from '../../../scripts/support/child-process';
import type { SiteDefinition } from '../../sites/site-definition';

/** Options of a process cluster. */
export interface ProcessClusterOptions {
  /** Redis server URL without a database; the cluster takes database `db` and flushes it. */
  readonly redisUrl: string;
  readonly db: number;
  readonly elasticsearchUrl: string;
  readonly sites: readonly SiteDefinition[];
  readonly nodes: number;
  /** More environment of every node. */
  readonly env?: Readonly<Record<string, string>>;
  /** More flags of every node's `node` (e.g. `--cpu-prof` to see where a node spends its time). */
  readonly nodeFlags?: readonly string[];
}

/** One node process. */
export interface ClusterNodeProcess {
  readonly id: string;
  readonly url: string;
  readonly child: ReadyChild;
}

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** N nodes sharing a Redis database and an Elasticsearch prefix. */
export class ProcessCluster {
  readonly nodes: ClusterNodeProcess[] = [];
  readonly indexPrefix = `test-cluster-${randomBytes(4).toString('hex')}`;
  private readonly sockets: ClientSocket[] = [];
  private dir = '';

  private constructor(private readonly options: ProcessClusterOptions) {}

  /** Flushes the database and starts the nodes (in parallel). */
  static async start(options: ProcessClusterOptions): Promise<ProcessCluster> {
    const cluster = new ProcessCluster(options);
    const redis = new Redis(cluster.redisUrl);
    await redis.flushdb();
    redis.disconnect();
    cluster.dir = await mkdtemp(path.join(tmpdir(), 'sitescan-cluster-'));
    await writeFile(path.join(cluster.dir, 'sites.json'), JSON.stringify(options.sites));
    const started = await Promise.allSettled(Array.from({ length: options.nodes }, (_, i) => cluster.startNode(`node-${i + 1}`)));
    const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) {
      // The nodes that did start would go on taking this database's jobs: stop them first.
      await cluster.stop();
      throw failed.reason;
    }
    cluster.nodes.sort((a, b) => a.id.localeCompare(b.id));
    return cluster;
  }

  /** The Redis URL of the cluster's database. */
  get redisUrl(): string {
    return `${this.options.redisUrl.replace(/\/\d*$/, '')}/${this.options.db}`;
  }

  /** Starts one more node under `id`. */
  async startNode(id: string): Promise<ClusterNodeProcess> {
    const port = await freePort();
    const child = await startReadyChild({
      name: id,
      args: [...(this.options.nodeFlags ?? []), ...SERVER_NODE_ARGS],
      env: {
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        HOST: '127.0.0.1',
        PORT: String(port),
        NODE_ID: id,
        REDIS_URL: this.redisUrl,
        ELASTICSEARCH_URL: this.options.elasticsearchUrl,
        ELASTICSEARCH_INDEX_PREFIX: this.indexPrefix,
        SANDBOX: '0',
        SITES_FILE: path.join(this.dir, 'sites.json'),
        DATA_DIR: this.dir,
        CLIENT_SEARCHES_PER_MINUTE: '100000',
        // `info`: the ready line is a log line; the log goes to a file.
        LOG_LEVEL: 'info',
        ...this.options.env,
      },
      ready: 'sitescan is ready',
      logFile: path.join(tmpdir(), `sitescan-${this.indexPrefix}-${id}.log`),
    });
    const node = { id, url: `http://127.0.0.1:${port}`, child };
    this.nodes.push(node);
    return node;
  }

  /** The node `id`. */
  node(id: string): ClusterNodeProcess {
    const node = this.nodes.find((candidate) => candidate.id === id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  /** Starts a search on a node; the body as `POST /api/searches` takes it. */
  async create(node: ClusterNodeProcess, body: Record<string, unknown>): Promise<string> {
    const response = await fetch(`${node.url}/api/searches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`${node.id} answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  }

  /** A search as a node serves it. */
  async get(node: ClusterNodeProcess, id: string): Promise<SearchSnapshot> {
    const response = await fetch(`${node.url}/api/searches/${id}`);
    if (!response.ok) throw new Error(`${node.id} answered ${response.status} for search ${id}`);
    return (await response.json()) as SearchSnapshot;
  }

  /** A Socket.IO client connected to a node (closed by `stop`). */
  async socket(node: ClusterNodeProcess): Promise<ClientSocket> {
    const socket: ClientSocket = connect(node.url, { transports: ['websocket'], reconnection: false });
    this.sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }

  /**
   * Follows searches on a socket: resolves, per search, with every event it received (the
   * subscribe's backlog, then live ones), once the search's end event arrived.
   */
  follow(socket: ClientSocket, ids: readonly string[]): Promise<Map<string, SearchEvent[]>> {
    const seen = new Map<string, SearchEvent[]>(ids.map((id) => [id, []]));
    const pending = new Set(ids);
    return new Promise((resolve, reject) => {
      const check = (id: string) => {
        if (seen.get(id)!.some(isSearchEndEvent)) pending.delete(id);
        if (pending.size === 0) {
          socket.off('search:event', onEvent);
          resolve(seen);
        }
      };
      const onEvent = (live: LiveSearchEvent) => {
        const { searchId, ...event } = live;
        const list = seen.get(searchId);
        if (!list) return;
        list.push(event);
        check(searchId);
      };
      socket.on('search:event', onEvent);
      for (const id of ids) {
        socket.emit('search:subscribe', { searchId: id, afterSeq: 0 }, (answer: SubscribeAck) => {
          if (!answer.ok) return reject(new Error(`subscribe ${id}: ${answer.error.message}`));
          seen.get(id)!.unshift(...answer.events);
          check(id);
        });
      }
    });
  }

  /** Kills a node at once, as a crash would (SIGKILL). */
  async kill(node: ClusterNodeProcess): Promise<void> {
    node.child.process.kill('SIGKILL');
    await node.child.exited;
    this.nodes.splice(this.nodes.indexOf(node), 1);
  }

  /** Stops every node (SIGTERM), closes the sockets, removes the temp dir. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.disconnect();
    await Promise.all(this.nodes.map((node) => stopChild(node.child)));
    this.nodes.length = 0;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** The seqs of a log are 1, 2, 3 … with no gap and no repeat. */
export function isContiguous(events: readonly SearchEvent[]): boolean {
  return events.every((event, index) => event.seq === index + 1);
}
