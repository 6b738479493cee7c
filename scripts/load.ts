/**
 * `npm run load` — sitescan under load: N searches per second, M Socket.IO clients watching them,
 * for a set time, against a standalone sandbox whose limits are raised (`SANDBOX_PROFILE=load`) so
 * that sitescan, not the sites, is what is measured.
 *
 *   generator ──POST /api/searches (N/s)──▶ sitescan ──▶ sandbox (profile load)
 *       ▲                                      │
 *       └──── M sockets ◀── search:event ──────┘   (each search watched by K clients, round-robin)
 *   prober ──GET /api/health every 250 ms──▶ sitescan      sampler ──/proc/<pid>/status every 5 s
 *
 * Example (the targets on a 2-core machine): 20 searches/s over 30 sites for 60 s with 1,000
 * connected clients → 1,200 searches, ~36,000 site jobs, zero errors, push latency p99 ≤ 100 ms,
 * RSS flat after warm-up. `--overload` then runs at 5× the rate: past capacity sitescan must shed
 * load with 429 + Retry-After and keep answering `/api/health` quickly.
 *
 * What is measured:
 * - search time: server side (`search:completed.at − search:created.at`) and as the client sees
 *   it (POST sent → end event received), p50/p95/p99;
 * - push latency: an event's `at` (server clock) to its receipt by a client (same machine);
 * - every watcher's log: backlog (ack) + live events must be exactly seqs 1..n;
 * - errors: HTTP non-2xx by status, network errors, socket errors, subscribe refusals, gaps;
 * - server RSS and CPU every 5 s, `/api/health` latency, the generator's own event-loop delay
 *   (if it is high, latencies are the generator's, not sitescan's).
 *
 * Options (flag, env, default):
 *   --spawn                        start the sandbox (profile load) and sitescan (SANDBOX=0, SITES_FILE
 *                                  from the sandbox's /__sandbox/sites) itself: one command runs it all
 *   --url URL          LOAD_URL           running sitescan, 127.0.0.1 only (http://127.0.0.1:3000)
 *   --pid PID          LOAD_SERVER_PID    its process id, for RSS/CPU samples (automatic with --spawn)
 *   --rate N           LOAD_RATE          searches per second (20)
 *   --clients M        LOAD_CLIENTS       connected Socket.IO clients (1000)
 *   --duration S       LOAD_DURATION_S    seconds of the main phase (60)
 *   --watchers K       LOAD_WATCHERS      clients subscribed to each search, round-robin (3)
 *   --sites N          LOAD_SITES         sites per search: the N with the highest rate limits (30)
 *   --warmup S         LOAD_WARMUP_S      seconds left out of the RSS trend (30)
 *   --overload                            then a phase at --overload-factor × rate
 *   --overload-factor F                   (5)
 *   --overload-duration S                 (20)
 *   --max-in-flight N                     POSTs in flight before the generator stops sending (256)
 *   --cpu-prof                            with --spawn: profile the server, print where its time goes
 *                                         (summary in the results; the profile in $TMPDIR for DevTools)
 *   --server-env K=V                      with --spawn: extra sitescan env (repeatable), e.g. MAX_BUFFERED_JOBS=5000
 *   --server-node-arg ARG                 with --spawn: extra node flag for sitescan (repeatable), e.g. --trace-gc
 *   --keep-logs                           keep the temp dir with the sandbox's and sitescan's logs
 *   --seed N           SANDBOX_SEED       the sandbox's seed, for realistic query names (1)
 *   --out FILE                            results JSON (bench/results/load.json)
 *   --no-build                            with --spawn: do not run `next build` when the build is stale
 *
 * Everything stops by itself: phases end on time, draining waits at most deadline + 10 s.
 *
 * The parts, in scripts/load/: options, target (the server, or --spawn), workload (sites and
 * queries), generator, watchers (the Socket.IO clients), monitor (health and RSS), phase-stats,
 * results and print-results, cpu-profile.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { SiteInfo } from '../lib/types';
import { killAllChildren } from './support/child-process';
import { cpuSeconds } from './support/proc-stats';
import { keepBusiestProfile } from './load/cpu-profile';
import { runPhase, warmUp, type GeneratorContext } from './load/generator';
import { startMonitor, type Sample } from './load/monitor';
import { options } from './load/options';
import { newPhase, type PhaseStats } from './load/phase-stats';
import { printResults } from './load/print-results';
import { loadResults } from './load/results';
import { startTarget, type LoadTarget } from './load/target';
import { Watchers } from './load/watchers';
import { chooseSites, perSecond, queriesFrom } from './load/workload';

let workDir = '';

/** What this run does, on one line, before anything is measured. */
function announce(url: string, chosen: readonly SiteInfo[]): void {
  console.log(
    `load: ${url} · ${chosen.length} sites (${Math.round(Math.min(...chosen.map(perSecond)))}–${Math.round(Math.max(...chosen.map(perSecond)))} req/s each) · ` +
      `${options.rate}/s for ${options.durationS} s · ${options.clients} clients, ${options.watchers} per search${options.overload ? ` · then ${options.overloadFactor}× for ${options.overloadDurationS} s` : ''}`,
  );
}

/** The main phase and, with `--overload`, the overload phase after it. */
function plannedPhases(): PhaseStats[] {
  const phases: PhaseStats[] = [newPhase('main', options.rate, options.durationS)];
  if (options.overload) phases.push(newPhase('overload', options.rate * options.overloadFactor, options.overloadDurationS));
  return phases;
}

/** Runs the phases one after the other, the monitor across them all; its samples. */
async function runPhases(run: GeneratorContext, target: LoadTarget, phases: readonly PhaseStats[], started: number): Promise<Sample[]> {
  const { serverPid, sandboxPid } = target;
  let current = phases[0]!;
  const monitor = await startMonitor({ url: run.url, started, serverPid, sandboxPid, phase: () => current, peaks: run.peaks });
  const stop = () => {
    run.watchers.closing = true;
  };
  process.once('SIGINT', stop);
  for (const phase of phases) {
    current = phase;
    console.log(`load: phase ${phase.name}: ${phase.rate}/s for ${phase.durationS} s`);
    phase.cpuAtStart = serverPid ? await cpuSeconds(serverPid) : undefined;
    phase.sandboxCpuAtStart = sandboxPid ? await cpuSeconds(sandboxPid) : undefined;
    await runPhase(run, phase);
    phase.cpuAtEnd = serverPid ? await cpuSeconds(serverPid) : undefined;
    phase.sandboxCpuAtEnd = sandboxPid ? await cpuSeconds(sandboxPid) : undefined;
  }
  await monitor.stop();
  return monitor.samples;
}

async function main(): Promise<void> {
  workDir = await mkdtemp(path.join(tmpdir(), 'sitescan-load-'));
  const loadAvgAtStart = loadavg();
  const started = Date.now();
  const target = await startTarget(options, workDir);
  const { url, serverPid } = target;
  const chosen = await chooseSites(url, options.sites);
  const siteIds = chosen.map((site) => site.id);
  const queries = queriesFrom(options.seed);
  announce(url, chosen);
  await warmUp(url, siteIds);

  const watchers = new Watchers();
  const connectMs = await watchers.connect(url, options.clients);
  const connected = watchers.connected;
  console.log(`load: ${connected}/${options.clients} clients connected in ${Math.round(connectMs)} ms`);

  const phases = plannedPhases();
  const peaks = { healthMaxMs: 0, postMaxMs: 0 };
  const run = { url, siteIds, queries, watchers, watchersPerSearch: options.watchers, maxInFlight: options.maxInFlight, peaks };
  const samples = await runPhases(run, target, phases, started);
  watchers.checkLogs();
  watchers.close();

  const sandboxStats = await target.sandboxStats();
  await target.stop();
  const cpuProfile = options.cpuProf ? await keepBusiestProfile(target.profileDir) : undefined;
  const results = loadResults({ options, siteIds, phases, serverPid, connected, connectMs, socketErrors: watchers.socketErrors, samples, loadAvgAtStart, sandboxStats, cpuProfile });
  await mkdir(path.dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  printResults(results, options.out);

  if (options.keepLogs) console.log(`  logs kept in ${workDir}`);
  else await rm(workDir, { recursive: true, force: true });
}

main()
  .catch((error: unknown) => {
    console.error('load failed:', error, workDir ? `\nlogs kept in ${workDir}` : '');
    process.exitCode = 1;
  })
  .finally(() => {
    killAllChildren();
    // Sockets and keep-alive connections would hold the process open.
    setTimeout(() => process.exit(), 100).unref();
  });
