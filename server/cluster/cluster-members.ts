/**
 * Which nodes of the cluster are alive: each node writes a heartbeat to Redis (its id, scored
 * with Redis's clock) every `heartbeatMs`; a node whose last heartbeat is older than
 * `aliveForMs` is dead. The operations view lists the living; a node that stops asks whether it
 * is the last one (then it ends the running searches as interrupted).
 *
 *   node A ─ZADD nodes A (TIME)─▶ Redis ◀─ZADD nodes B─ node B       alive = score > TIME − aliveForMs
 *
 * The heartbeat is the failure detector, not a wait for work: nothing else runs on a timer.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ClusterNode } from '../../lib/types';

/** Options of the membership. */
export interface ClusterMembersOptions {
  readonly redis: Redis;
  readonly nodeId: string;
  /** What the node tells the others about itself (its URL, for the operations view). */
  readonly info?: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** Prefix of every key. Default `sitescan:`. */
  readonly keyPrefix?: string;
  /** Interval of heartbeats, ms. Default 1,000. */
  readonly heartbeatMs?: number;
  /** A node is alive while its last heartbeat is younger than this, ms. Default 3,000. */
  readonly aliveForMs?: number;
}


const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]) * 20)
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
return now
`;

const ALIVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[1]), '+inf', 'WITHSCORES')
`;

/** This node's heartbeat, and the list of the living. */
export class ClusterMembers {
  private readonly options: ClusterMembersOptions;
  private readonly prefix: string;
  private readonly logger: Logger;
  private info: Readonly<Record<string, string>>;
  private timer?: NodeJS.Timeout;

  constructor(options: ClusterMembersOptions) {
    this.options = options;
    this.info = options.info ?? {};
    this.prefix = options.keyPrefix ?? 'sitescan:';
    this.logger = options.logger.child({ module: 'cluster-members' });
  }

  private get aliveForMs(): number {
    return this.options.aliveForMs ?? 3_000;
  }

  /** Sends the first heartbeat and keeps beating. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch((error: unknown) => this.logger.warn({ err: error }, 'heartbeat not written'));
    }, this.options.heartbeatMs ?? 1_000);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const { redis, nodeId } = this.options;
    await redis.eval(HEARTBEAT, 2, `${this.prefix}nodes`, `${this.prefix}node:${nodeId}`, nodeId, this.aliveForMs, JSON.stringify(this.info));
  }

  /** Tells the others something new about this node (its URL once it listens). */
  async announce(info: Readonly<Record<string, string>>): Promise<void> {
    this.info = info;
    await this.beat();
  }

  /** The living nodes (a heartbeat within `withinMs`, default `aliveForMs`), this one included while it beats. */
  async alive(withinMs = this.aliveForMs): Promise<ClusterNode[]> {
    const { redis } = this.options;
    const flat = (await redis.eval(ALIVE, 1, `${this.prefix}nodes`, withinMs)) as string[];
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const id = flat[i]!;
      const info = await redis.get(`${this.prefix}node:${id}`);
      nodes.push({ id, lastSeen: Number(flat[i + 1]), info: info ? (JSON.parse(info) as Record<string, string>) : {} });
    }
    return nodes;
  }

  /** Whether another node has beaten within `withinMs` (default `aliveForMs`). */
  async othersAlive(withinMs = this.aliveForMs): Promise<boolean> {
    return (await this.alive(withinMs)).some((node) => node.id !== this.options.nodeId);
  }

  /** Stops beating and leaves at once, so the others do not wait for the heartbeat to age. */
  async leave(): Promise<void> {
    clearInterval(this.timer);
    const { redis, nodeId } = this.options;
    await redis.multi().zrem(`${this.prefix}nodes`, nodeId).del(`${this.prefix}node:${nodeId}`).exec();
  }
}
