/**
 * Figure 4, recovery, 3 nodes: a node is killed (SIGKILL) while a saturated site has jobs queued
 * and some active on it — node-1 when it holds any, else the node holding most; time from the
 * kill to the last of its jobs' `site:done`, as a surviving node serves it (target ≤ 5 s),
 * BENCH_RECOVERY_RUNS times.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueuedSiteJob } from '../../server/cluster/cluster-scheduler';
import type { ProcessCluster } from '../../server/cluster/testing/process-cluster';
import type { BenchSiteSpec } from '../bench-sites';
import type { BenchSites } from '../start-bench-sites';
import { allEnded, createAll, pushedBackSoFar, pushedBackText, resetPushedBack, type PushedBack } from './searches';
import { BULL_PREFIX, RECOVERY_RUNS, verdict } from './settings';
import { logsOf, warmRoutes, withCluster } from './with-cluster';

/** The saturated site whose jobs a killed node held. */
export const RECOVERY_SPEC: BenchSiteSpec = { id: 'recover.test', limits: { concurrency: 6, requests: 20, perMs: 1000 }, latencyMs: { min: 20, max: 80 } };
/** Searches per run: 10 s of work at the site's rate, so jobs are still queued at the kill. */
const RECOVERY_SEARCHES = 200;
/** The node killed when it holds jobs of the site. */
const FIRST_CHOICE = 'node-1';

/** One run: a node killed, its jobs served again by a survivor. */
export interface RecoveryRun {
  /**
   * The node killed: node-1 when it held jobs of the site, else the node holding most. A saturated
   * site's slots stay with the nodes that hold them — BullMQ hands a slot freed under a queue's
   * global concurrency to the worker that freed it (`moveToFinished` fetches the next job in the
   * same call), and each worker may hold all of them — so a node without any when the site
   * filled up gets none until the queue drains, and waiting for node-1 would wait for nothing.
   */
  readonly killed: string;
  /** Nodes holding the site's active jobs just before the kill (BullMQ's `processedBy`), one entry a job. */
  readonly activeOn: readonly string[];
  /** Jobs of the site queued cluster-wide at that moment. */
  readonly queuedAtKill: number;
  /** Kill → the last of the killed node's jobs started again on a survivor (its lock lapsed, a stalled check moved it back). */
  readonly restartedMs: number;
  /** Kill → the last of the killed node's jobs `site:done`: the figure with the target. */
  readonly doneMs: number;
  /** Its jobs that ended before the kill took effect (their done is not a recovery). */
  readonly doneBeforeKill: number;
  readonly violations: number;
  readonly refused: number;
  /** Creations the nodes pushed back (429 / 503), sent again after their Retry-After. */
  readonly pushedBack: PushedBack;
}

/** Saturates the site, kills the node holding its jobs, and times their recovery. */
async function recoveryRun(cluster: ProcessCluster, redis: Redis, sites: BenchSites, run: number): Promise<RecoveryRun> {
  await sites.reset();
  resetPushedBack();
  const queue = new Queue<QueuedSiteJob>(`site-${RECOVERY_SPEC.id}`, { connection: redis, prefix: BULL_PREFIX });
  try {
    const bodies = Array.from({ length: RECOVERY_SEARCHES }, (_, i) => ({ name: `Recovery ${run} ${i}`, sites: [RECOVERY_SPEC.id], priority: 'bulk' }));
    await createAll(cluster, bodies, 8);
    // The site is saturated (its jobs queued): see who holds its active jobs, and kill at once.
    const [active, counts] = await Promise.all([queue.getActive(), queue.getJobCounts('wait', 'prioritized')]);
    const activeOn = active.map((job) => job.processedBy ?? '?');
    const held = (id: string) => activeOn.filter((holder) => holder === id).length;
    const killed = held(FIRST_CHOICE) > 0 ? FIRST_CHOICE : [...new Set(activeOn)].sort((a, b) => held(b) - held(a))[0];
    if (!killed || !cluster.nodes.some((node) => node.id === killed)) {
      throw new Error(`run ${run}: no node holds a job of ${RECOVERY_SPEC.id} (active on: ${activeOn.join(', ') || 'none'}; queued: ${JSON.stringify(counts)})`);
    }
    const victimJobs = active.filter((job) => job.processedBy === killed).map((job) => job.data.searchId);
    const killedAt = Date.now();
    await cluster.kill(cluster.node(killed));

    const survivor = cluster.nodes[0]!;
    const done: number[] = [];
    const restarted: number[] = [];
    let doneBeforeKill = 0;
    for (const searchId of victimJobs) {
      for (let attempt = 0; ; attempt++) {
        const snapshot = await cluster.get(survivor, searchId);
        const result = snapshot.results.find((candidate) => candidate.siteId === RECOVERY_SPEC.id)!;
        if (result.status === 'done') {
          const ends = snapshot.events.filter((event) => event.type === 'site:done' && event.siteId === RECOVERY_SPEC.id);
          const at = ends.at(-1)!.at;
          if (at < killedAt) doneBeforeKill++;
          else done.push(at - killedAt);
          const starts = snapshot.events.filter((event) => event.type === 'site:started' && event.siteId === RECOVERY_SPEC.id && event.at >= killedAt);
          if (starts.length > 0) restarted.push(starts.at(-1)!.at - killedAt);
          break;
        }
        if (result.status === 'failed' || result.status === 'cancelled' || result.status === 'skipped') {
          throw new Error(`search ${searchId}: ${RECOVERY_SPEC.id} ended ${result.status} (${result.error ?? ''}) after ${killed} was killed`);
        }
        if (attempt === 600) throw new Error(`search ${searchId}: ${RECOVERY_SPEC.id} not done 60 s after ${killed} was killed`);
        await sleep(100);
      }
    }
    await allEnded(redis, 60_000);
    const seen = (await sites.stats())[RECOVERY_SPEC.id]!;
    const figures: RecoveryRun = {
      killed,
      activeOn,
      queuedAtKill: (counts.wait ?? 0) + (counts.prioritized ?? 0),
      restartedMs: restarted.length > 0 ? Math.max(...restarted) : Number.NaN,
      doneMs: done.length > 0 ? Math.max(...done) : Number.NaN,
      doneBeforeKill,
      violations: seen.exceeded ? seen.maxArrivalsInWindow - RECOVERY_SPEC.limits.requests : 0,
      refused: seen.refused,
      pushedBack: pushedBackSoFar(),
    };
    if (!(figures.doneMs <= 5_000)) console.log(`   run ${run}: target missed; node logs: ${logsOf(cluster, 3)}`);
    return figures;
  } finally {
    await queue.close();
  }
}

/** Runs one after the other on one cluster, the killed node started again between them. */
export async function benchRecovery(sites: BenchSites): Promise<RecoveryRun[]> {
  return withCluster(3, sites, async (cluster, redis) => {
    const figures: RecoveryRun[] = [];
    for (let run = 1; run <= RECOVERY_RUNS; run++) {
      const measured = await recoveryRun(cluster, redis, sites, run);
      figures.push(measured);
      if (run < RECOVERY_RUNS) await warmRoutes([await cluster.startNode(measured.killed)]);
    }
    return figures;
  });
}

/** The figure's table, a row per run. */
export function printRecovery(recovery: readonly RecoveryRun[]): void {
  console.log(`\n## 4. Recovery: a node killed (SIGKILL) → the last of its active jobs site:done on a survivor (ms) — target ≤ 5000`);
  const rows: Record<string, Record<string, string | number>> = {};
  recovery.forEach((run, i) => {
    rows[`run ${i + 1}`] = {
      killed: run.killed,
      'its active jobs': run.activeOn.filter((holder) => holder === run.killed).length,
      'active on (all nodes)': run.activeOn.join(' '),
      'queued at kill': run.queuedAtKill,
      'kill → restarted': run.restartedMs,
      'kill → site:done': run.doneMs,
      'done before kill': run.doneBeforeKill,
      violations: run.violations,
      '429s': run.refused,
      'creations pushed back (429 / 503)': pushedBackText(run.pushedBack),
      target: verdict(run.doneMs <= 5_000),
    };
  });
  console.table(rows);
}
