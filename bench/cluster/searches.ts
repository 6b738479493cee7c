/**
 * Searches on a cluster, made and read over HTTP as a well-behaved client does: created round-robin
 * on the nodes, sent again after a push-back's Retry-After (and counted), read back by id; and the
 * moment the cluster has none running, read from Redis.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { SearchSnapshot } from '../../lib/types';
import type { ClusterNodeProcess, ProcessCluster } from '../../server/cluster/testing/process-cluster';
import { RUNNING_SET } from './settings';

/** Requests the nodes pushed back (429 or 503 with Retry-After) and the bench sent again, by status. */
const pushedBack = { 429: 0, 503: 0 };

/** Creations pushed back, by status (429 / 503). */
export type PushedBack = Readonly<typeof pushedBack>;

/** The creations pushed back since the last `resetPushedBack`. */
export const pushedBackSoFar = (): PushedBack => ({ ...pushedBack });

/** Starts counting push-backs afresh, for a new measured run. */
export function resetPushedBack(): void {
  pushedBack[429] = pushedBack[503] = 0;
}

/** Push-backs as the tables show them: `429s / 503s`. */
export const pushedBackText = (counts: PushedBack) => `${counts[429]} / ${counts[503]}`;

/**
 * Creates one search (`POST /api/searches`, the body as it takes it) as a well-behaved client
 * does: pushed back (429 at capacity, 503), it waits the Retry-After and asks again.
 */
export async function createSearch(node: ClusterNodeProcess, body: Record<string, unknown>): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${node.url}/api/searches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status === 201) return ((await response.json()) as { id: string }).id;
    const text = await response.text();
    if ((response.status === 429 || response.status === 503) && attempt < 30) {
      pushedBack[response.status]++;
      await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
      continue;
    }
    throw new Error(`${node.id} answered ${response.status} (attempt ${attempt}): ${text}`);
  }
}

/** `task(0)` … `task(count - 1)`, at most `parallel` at a time; the results in that order. */
async function inParallel<T>(count: number, parallel: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/** Creates `bodies[i]` on node i mod N (`POST /api/searches`), `parallel` requests at a time; the ids in the bodies' order. */
export async function createAll(cluster: ProcessCluster, bodies: readonly Record<string, unknown>[], parallel: number): Promise<string[]> {
  const nodes = [...cluster.nodes];
  return inParallel(bodies.length, parallel, (i) => createSearch(nodes[i % nodes.length]!, bodies[i]!));
}

/** Reads each search from a node, `parallel` at a time. */
export async function readAll(cluster: ProcessCluster, node: ClusterNodeProcess, ids: readonly string[], parallel = 10): Promise<SearchSnapshot[]> {
  return inParallel(ids.length, parallel, (i) => cluster.get(node, ids[i]!));
}

/**
 * Resolves with the wall-clock time at which the cluster has no running search left, read from
 * Redis every 20 ms (cheaper for the nodes than following thousands of searches over sockets).
 */
export async function allEnded(redis: Redis, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const running = await redis.scard(RUNNING_SET);
    if (running === 0) return Date.now();
    if (Date.now() > until) throw new Error(`${running} searches still running ${timeoutMs} ms after the last was created`);
    await sleep(20);
  }
}
