/**
 * CPU use over a measured run, of the nodes (from /proc) and of the Redis server (INFO cpu), in %
 * of one core: to tell whether a figure was bound by CPU (two cores here, shared with
 * Elasticsearch, the sites and the bench itself).
 */
import type { Redis } from 'ioredis';
import type { ProcessCluster } from '../../server/cluster/testing/process-cluster';
import { cpuSeconds } from '../../scripts/support/proc-stats';

/** CPU use over a run, % of one core. */
export interface CpuUse {
  readonly nodes: readonly number[];
  /** The Redis server's, whoever its clients were. */
  readonly redis: number;
}

/** CPU time a process has used, s; NaN where /proc is not there to read, so the figure is left blank. */
const processCpuSeconds = async (pid: number | undefined): Promise<number> => (pid === undefined ? undefined : await cpuSeconds(pid)) ?? Number.NaN;

/** CPU time the Redis server has used (INFO cpu), s: all its clients', not only the cluster's. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Starts measuring the CPU of the nodes and of Redis; the function it returns gives their mean use since. */
export async function measureCpu(cluster: ProcessCluster, redis: Redis): Promise<() => Promise<CpuUse>> {
  const nodes = [...cluster.nodes];
  const started = performance.now();
  const before = await Promise.all(nodes.map((node) => processCpuSeconds(node.child.process.pid)));
  const redisBefore = await redisCpuSeconds(redis);
  return async () => {
    const seconds = (performance.now() - started) / 1000;
    const after = await Promise.all(nodes.map((node) => processCpuSeconds(node.child.process.pid)));
    const percent = (used: number) => Math.round((used / seconds) * 100);
    return { nodes: after.map((used, i) => percent(used - before[i]!)), redis: percent((await redisCpuSeconds(redis)) - redisBefore) };
  };
}

/** CPU use as the tables show it: `nodes… · Redis`. */
export const cpuText = (cpu: CpuUse) => `${cpu.nodes.join(' / ')} · Redis ${cpu.redis}`;
