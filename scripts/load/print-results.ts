/** The load run's results on the console: per phase, then errors, machine load, RSS, profile and targets. */
import { cpus } from 'node:os';
import path from 'node:path';
import { ROOT } from '../support/child-process';
import type { PhaseReport } from './phase-stats';
import type { LoadResults } from './results';

const ms = (value: number | undefined) => (value === undefined ? '–' : `${Math.round(value)} ms`);

function printPhase(name: string, phase: PhaseReport): void {
  console.log(`  [${name}] ${phase.rate}/s for ${phase.seconds} s`);
  console.log(`    searches       ${phase.searches.created} created of ${phase.searches.attempted} (${phase.searches.achievedPerSec}/s), ${phase.searches.ended} ended ${JSON.stringify(phase.searches.byEnd)}, ${phase.searches.unfinished} unfinished, ${phase.searches.notSent} not sent`);
  console.log(`    search time    server p50 ${ms(phase.searchTimeMs.server.p50)} p95 ${ms(phase.searchTimeMs.server.p95)} p99 ${ms(phase.searchTimeMs.server.p99)} · client p50 ${ms(phase.searchTimeMs.client.p50)} p99 ${ms(phase.searchTimeMs.client.p99)}`);
  console.log(`    site jobs      ${JSON.stringify(phase.siteJobs)}`);
  if (Object.keys(phase.failureReasons).length) console.log(`    failures       ${JSON.stringify(phase.failureReasons)}`);
  console.log(`    push latency   p50 ${ms(phase.pushLatencyMs.p50)} p95 ${ms(phase.pushLatencyMs.p95)} p99 ${ms(phase.pushLatencyMs.p99)} max ${ms(phase.pushLatencyMs.max)} (${phase.messagesPerSec} msg/s)`);
  console.log(`    POST           p50 ${ms(phase.postMs.p50)} p99 ${ms(phase.postMs.p99)} · non-2xx ${JSON.stringify(phase.http)} · watcher logs ${JSON.stringify(phase.logErrors)}`);
  if (phase.shed.count) console.log(`    shed (429)     ${phase.shed.count}, ${phase.shed.withRetryAfter} with Retry-After ${JSON.stringify(phase.shed.byReason)}`);
  console.log(`    /api/health    p50 ${ms(phase.healthMs.p50)} p99 ${ms(phase.healthMs.p99)} max ${ms(phase.healthMs.max)}, ${phase.healthMs.errors} failed`);
  console.log(`    CPU cores      server ${phase.cpuCores.server ?? '–'} · sandbox ${phase.cpuCores.sandbox ?? '–'} · generator loop delay p99 ${phase.generatorLoopDelayMs.p99.toFixed(1)} ms`);
}

/** Prints `results`, written to `out`. */
export function printResults(results: LoadResults, out: string): void {
  const { samples, afterWarmup: rssTrend } = results.rss;
  const { cpuProfile } = results;
  console.log(`\nload results (${path.relative(ROOT, out)})`);
  for (const [name, phase] of Object.entries(results.phases)) printPhase(name, phase);
  console.log(`  errors          main phase ${results.errors.mainPhaseTotal} · socket (whole run) ${JSON.stringify(results.errors.socketWholeRun)}`);
  console.log(`  machine load    ${samples.map((sample) => sample.loadAvg1).join(' ')} (1-min load average, ${cpus().length} cores; other processes compete with the server)`);
  console.log(`  server RSS      ${samples.map((sample) => sample.serverRssMb ?? '?').join(' ')} MB (every 5 s); after warm-up slope ${rssTrend.slopeMbPerMin ?? '–'} MB/min`);
  if (results.sandbox) console.log(`  sandbox        ${results.sandbox.requests} requests, ${results.sandbox.rateLimited} refused, over their limit: ${results.sandbox.sitesOverTheirLimit.join(', ') || 'none'}`);
  if (cpuProfile) {
    console.log(`  server CPU profile (${cpuProfile.file}): busy ${cpuProfile.busyMs} of ${cpuProfile.wallMs} ms`);
    console.log(`    inclusive      ${cpuProfile.inclusiveByArea.slice(0, 10).map((entry) => `${entry.name} ${Math.round(entry.shareOfBusy * 100)}%`).join(' · ')}`);
    console.log(`    self           ${cpuProfile.selfByArea.slice(0, 10).map((entry) => `${entry.name} ${Math.round(entry.shareOfBusy * 100)}%`).join(' · ')}`);
  }
  console.log('  targets');
  for (const [name, { target, measured }] of Object.entries(results.targets)) console.log(`    ${name.padEnd(22)} target ${target}, measured ${measured ?? '–'}`);
}
