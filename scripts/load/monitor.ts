/**
 * What the load run watches beside its searches, across every phase: a prober that asks
 * `/api/health` every 250 ms (is sitescan still answering, and how loaded does it say it is), and
 * a sampler that records the server's and the sandbox's RSS and CPU every 5 s.
 *
 *   prober ──GET /api/health every 250 ms──▶ sitescan      sampler ──/proc/<pid>/status every 5 s
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { cpuSeconds, rssMb } from '../support/proc-stats';
import type { PhaseStats } from './phase-stats';

const SAMPLE_EVERY_MS = 5_000;
const PROBE_EVERY_MS = 250;

/** Slowest `/api/health` and POST since the last sample: when the server stalled, not only how much. */
export interface StallPeaks {
  healthMaxMs: number;
  postMaxMs: number;
}

/** One sample, every 5 s. */
export interface Sample {
  /** Seconds since the run started. */
  tS: number;
  phase: string;
  serverRssMb?: number;
  sandboxRssMb?: number;
  generatorRssMb: number;
  serverCpuCores?: number;
  loadAvg1: number;
  healthMaxMs: number;
  postMaxMs: number;
  runningSearches?: number;
  bufferedJobs?: number;
}

/** Options of `startMonitor`. */
export interface MonitorOptions {
  readonly url: string;
  /** When the run started (ms since epoch): samples are timed from it. */
  readonly started: number;
  readonly serverPid?: number;
  readonly sandboxPid?: number;
  /** The phase running now, which probes and samples are counted in. */
  readonly phase: () => PhaseStats;
  readonly peaks: StallPeaks;
}

/** A running monitor: its samples so far, and how to stop it. */
export interface Monitor {
  readonly samples: Sample[];
  stop(): Promise<void>;
}

/** Starts the prober and the sampler; they run until `stop`. */
export async function startMonitor({ url, started, serverPid, sandboxPid, phase: current, peaks }: MonitorOptions): Promise<Monitor> {
  const samples: Sample[] = [];
  let lastLoad: { runningSearches?: number; bufferedJobs?: number } = {};
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const phase = current();
      const t0 = performance.now();
      try {
        const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
        const body = (await response.json()) as { load?: { runningSearches: number; bufferedJobs: number } };
        const healthMs = performance.now() - t0;
        peaks.healthMaxMs = Math.max(peaks.healthMaxMs, healthMs);
        if (response.status === 200) phase.healthMs.add(healthMs);
        else phase.healthErrors++;
        lastLoad = body.load ?? {};
      } catch {
        // A timed-out or refused probe is exactly what this measures: counted, not thrown.
        phase.healthErrors++;
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  let lastCpu = serverPid ? await cpuSeconds(serverPid) : undefined;
  let lastCpuAt = Date.now();
  const sampler = setInterval(() => {
    void (async () => {
      const cpu = serverPid ? await cpuSeconds(serverPid) : undefined;
      const now = Date.now();
      samples.push({
        tS: Math.round((now - started) / 100) / 10,
        phase: current().name,
        serverRssMb: serverPid ? await rssMb(serverPid) : undefined,
        sandboxRssMb: sandboxPid ? await rssMb(sandboxPid) : undefined,
        generatorRssMb: Math.round(process.memoryUsage().rss / 104_857.6) / 10,
        serverCpuCores: cpu !== undefined && lastCpu !== undefined ? Math.round(((cpu - lastCpu) / ((now - lastCpuAt) / 1000)) * 100) / 100 : undefined,
        // Other work on this machine takes cores from the server: say how much there was.
        loadAvg1: Math.round(loadavg()[0]! * 100) / 100,
        healthMaxMs: Math.round(peaks.healthMaxMs),
        postMaxMs: Math.round(peaks.postMaxMs),
        ...lastLoad,
      });
      peaks.healthMaxMs = 0;
      peaks.postMaxMs = 0;
      lastCpu = cpu;
      lastCpuAt = now;
    })();
  }, SAMPLE_EVERY_MS);
  return {
    samples,
    async stop() {
      probing = false;
      clearInterval(sampler);
      await prober;
    },
  };
}
