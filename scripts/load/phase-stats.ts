/**
 * One phase of a load run (the main phase, then the overload phase): the figures gathered while it
 * runs, and their report in the results JSON.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Samples } from './samples';

/** What one phase measured; filled in by the generator, the watchers and the monitor. */
export interface PhaseStats {
  readonly name: string;
  readonly rate: number;
  readonly durationS: number;
  startedAt: number;
  endedAt: number;
  attempted: number;
  created: number;
  /** Searches the generator did not send because too many POSTs were already waiting. */
  notSent: number;
  readonly postMs: Samples;
  readonly serverSearchMs: Samples;
  readonly clientSearchMs: Samples;
  readonly pushLatencyMs: Samples;
  readonly healthMs: Samples;
  healthErrors: number;
  readonly http: Record<string, number>;
  readonly shed: { count: number; withRetryAfter: number; retryAfterS: Samples; byReason: Record<string, number> };
  readonly searchEnds: Record<string, number>;
  readonly siteJobs: Record<string, number>;
  readonly failureReasons: Record<string, number>;
  /** Watchers whose backlog + live events were not exactly seqs 1..n. */
  readonly logErrors: Record<string, number>;
  messages: number;
  readonly loopDelay: ReturnType<typeof monitorEventLoopDelay>;
  cpuAtStart?: number;
  cpuAtEnd?: number;
  sandboxCpuAtStart?: number;
  sandboxCpuAtEnd?: number;
}

/** A phase of `rate` searches per second for `durationS`, nothing measured yet. */
export function newPhase(name: string, rate: number, durationS: number): PhaseStats {
  return {
    name,
    rate,
    durationS,
    startedAt: 0,
    endedAt: 0,
    attempted: 0,
    created: 0,
    notSent: 0,
    postMs: new Samples(),
    serverSearchMs: new Samples(),
    clientSearchMs: new Samples(),
    pushLatencyMs: new Samples(),
    healthMs: new Samples(),
    healthErrors: 0,
    http: {},
    shed: { count: 0, withRetryAfter: 0, retryAfterS: new Samples(), byReason: {} },
    searchEnds: {},
    siteJobs: {},
    failureReasons: {},
    logErrors: {},
    messages: 0,
    loopDelay: monitorEventLoopDelay({ resolution: 10 }),
  };
}

/** A phase's figures as the results JSON holds them: rates, percentiles, CPU cores used. */
export function phaseReport(phase: PhaseStats, serverPid: number | undefined) {
  const seconds = (phase.endedAt - phase.startedAt) / 1000;
  const ended = Object.values(phase.searchEnds).reduce((a, b) => a + b, 0);
  const serverCpu =
    serverPid && phase.cpuAtStart !== undefined && phase.cpuAtEnd !== undefined
      ? Math.round(((phase.cpuAtEnd - phase.cpuAtStart) / seconds) * 100) / 100
      : undefined;
  const sandboxCpu =
    phase.sandboxCpuAtStart !== undefined && phase.sandboxCpuAtEnd !== undefined
      ? Math.round(((phase.sandboxCpuAtEnd - phase.sandboxCpuAtStart) / seconds) * 100) / 100
      : undefined;
  return {
    rate: phase.rate,
    seconds: Math.round(seconds * 10) / 10,
    searches: {
      attempted: phase.attempted,
      notSent: phase.notSent,
      created: phase.created,
      ended,
      unfinished: phase.created - ended,
      byEnd: phase.searchEnds,
      achievedPerSec: Math.round((phase.created / seconds) * 10) / 10,
    },
    searchTimeMs: { server: phase.serverSearchMs.summary(), client: phase.clientSearchMs.summary() },
    postMs: phase.postMs.summary(),
    siteJobs: phase.siteJobs,
    failureReasons: phase.failureReasons,
    pushLatencyMs: phase.pushLatencyMs.summary(),
    messagesPerSec: Math.round(phase.messages / seconds),
    http: phase.http,
    logErrors: phase.logErrors,
    shed: { ...phase.shed, retryAfterS: phase.shed.retryAfterS.summary() },
    healthMs: { ...phase.healthMs.summary(), errors: phase.healthErrors },
    cpuCores: { server: serverCpu, sandbox: sandboxCpu },
    generatorLoopDelayMs: { p50: phase.loopDelay.percentile(50) / 1e6, p99: phase.loopDelay.percentile(99) / 1e6, max: phase.loopDelay.max / 1e6 },
  };
}

/** A phase's report (see `phaseReport`). */
export type PhaseReport = ReturnType<typeof phaseReport>;
