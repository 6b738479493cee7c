/**
 * The load run's results JSON (bench/results/load.json): every phase's report, the errors, the
 * server's RSS and its trend after warm-up, and each figure beside its target.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import type { ProfileSummary } from './cpu-profile';
import type { Sample } from './monitor';
import type { LoadOptions } from './options';
import { phaseReport, type PhaseStats } from './phase-stats';
import type { SandboxStats } from './target';

/** Everything a finished run hands over to be reported. */
export interface RunRecord {
  readonly options: LoadOptions;
  readonly siteIds: readonly string[];
  readonly phases: readonly PhaseStats[];
  readonly serverPid?: number;
  /** Clients connected once all had tried, and how long that took. */
  readonly connected: number;
  readonly connectMs: number;
  readonly socketErrors: Record<string, number>;
  readonly samples: readonly Sample[];
  readonly loadAvgAtStart: number[];
  readonly sandboxStats?: SandboxStats;
  readonly cpuProfile?: ProfileSummary;
}

/** RSS trend after warm-up in the main phase: least-squares slope, MB per minute. */
function rssTrendOf(samples: readonly Sample[], warmupS: number) {
  const warm = samples.filter((sample) => sample.phase === 'main' && sample.serverRssMb !== undefined && sample.tS - samples[0]!.tS >= warmupS);
  let rssTrend: { samples: number; firstMb?: number; lastMb?: number; maxMb?: number; slopeMbPerMin?: number } = { samples: warm.length };
  if (warm.length >= 2) {
    const xs = warm.map((sample) => sample.tS / 60);
    const ys = warm.map((sample) => sample.serverRssMb!);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const slope = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0) / xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
    rssTrend = { samples: warm.length, firstMb: ys[0], lastMb: ys.at(-1), maxMb: Math.max(...ys), slopeMbPerMin: Math.round(slope * 10) / 10 };
  }
  return rssTrend;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The results JSON of a finished run. */
export function loadResults(run: RunRecord) {
  const { options, siteIds, connected, socketErrors, samples, sandboxStats } = run;
  const rssTrend = rssTrendOf(samples, options.warmupS);
  const mainPhase = phaseReport(run.phases[0]!, run.serverPid);
  const overload = run.phases[1] ? phaseReport(run.phases[1], run.serverPid) : undefined;
  const mainErrors = sum(mainPhase.http) + sum(socketErrors) + sum(mainPhase.logErrors) + mainPhase.searches.unfinished + (options.clients - connected);
  return {
    at: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), loadAvgAtStart: run.loadAvgAtStart, loadAvgAtEnd: loadavg() },
    command: `npm run load --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    options: { ...options, sites: siteIds.length },
    sites: siteIds,
    clients: { requested: options.clients, connected, connectMs: Math.round(run.connectMs) },
    phases: { main: mainPhase, ...(overload ? { overload } : {}) },
    errors: { socketWholeRun: socketErrors, mainPhaseTotal: mainErrors },
    sandbox: sandboxStats
      ? {
          requests: Object.values(sandboxStats.sites).reduce((total, site) => total + site.requests, 0),
          rateLimited: Object.values(sandboxStats.sites).reduce((total, site) => total + site.rateLimited, 0),
          sitesOverTheirLimit: Object.entries(sandboxStats.sites).filter(([, site]) => site.exceeded).map(([id]) => id),
        }
      : undefined,
    rss: { samples, afterWarmup: rssTrend },
    targets: {
      rate: { target: 20, measured: mainPhase.searches.achievedPerSec },
      clients: { target: 1_000, measured: connected },
      errors: { target: 0, measured: mainErrors },
      pushLatencyP99Ms: { target: 100, measured: mainPhase.pushLatencyMs.p99 },
      rssSlopeMbPerMin: { target: '≈ 0 after warm-up', measured: rssTrend.slopeMbPerMin },
      ...(overload
        ? {
            overloadShedsWith429: { target: '429 + Retry-After', measured: `${overload.shed.count} × 429, ${overload.shed.withRetryAfter} with Retry-After` },
            overloadHealthP99Ms: { target: 'responsive', measured: overload.healthMs.p99 },
          }
        : {}),
    },
    cpuProfile: run.cpuProfile,
  };
}

/** The results JSON of a load run (see `loadResults`). */
export type LoadResults = ReturnType<typeof loadResults>;
