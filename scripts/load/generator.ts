/**
 * The load generator: `POST /api/searches` at a set rate, on schedule (a late tick catches up),
 * open loop (a slow answer does not delay the next) up to a cap of POSTs in flight; each search
 * created is handed to the watchers, each refusal counted by status and reason.
 */
import { performance } from 'node:perf_hooks';
import type { StallPeaks } from './monitor';
import type { PhaseStats } from './phase-stats';
import { increment } from './samples';
import type { TrackedSearch, Watchers } from './watchers';
import type { Query } from './workload';

/** The interactive deadline (5 s) plus room for the last events to arrive. */
const DRAIN_MS = 15_000;

/** What every POST of a run shares. */
export interface GeneratorContext {
  /** The sitescan under load. */
  readonly url: string;
  /** The sites of every search. */
  readonly siteIds: readonly string[];
  /** The next query to send. */
  readonly queries: () => Query;
  readonly watchers: Watchers;
  /** Clients subscribed to each search. */
  readonly watchersPerSearch: number;
  /** POSTs in flight before the generator stops sending. */
  readonly maxInFlight: number;
  /** Where the slowest POST since the monitor's last sample goes. */
  readonly peaks: StallPeaks;
}

async function postSearch(run: GeneratorContext, phase: PhaseStats, query: Query, inFlight: { n: number }): Promise<void> {
  const postAt = Date.now();
  const started = performance.now();
  inFlight.n++;
  try {
    const response = await fetch(`${run.url}/api/searches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...query, sites: run.siteIds }),
      signal: AbortSignal.timeout(30_000),
    });
    const postMs = performance.now() - started;
    phase.postMs.add(postMs);
    run.peaks.postMaxMs = Math.max(run.peaks.postMaxMs, postMs);
    if (response.status === 201) {
      const { id } = (await response.json()) as { id: string };
      phase.created++;
      const search: TrackedSearch = { id, phase, postAt, ended: false };
      run.watchers.track(search, run.watchersPerSearch);
      return;
    }
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    increment(phase.http, String(response.status));
    if (response.status === 429) countShed(phase, response, body.error?.message ?? '');
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    increment(phase.http, `network: ${cause?.code ?? (error as Error).name}`);
  } finally {
    inFlight.n--;
  }
}

/** A 429: whether it said when to come back, and which limit shed it. */
function countShed(phase: PhaseStats, response: Response, message: string): void {
  phase.shed.count++;
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter !== null && Number(retryAfter) > 0) {
    phase.shed.withRetryAfter++;
    phase.shed.retryAfterS.add(Number(retryAfter));
  }
  increment(phase.shed.byReason, /from this client/.test(message) ? 'per-client limit' : /site jobs waiting/.test(message) ? 'admission (buffer full)' : message.slice(0, 60) || 'unknown');
}

/** Sends `phase.rate` searches per second for `phase.durationS`, then waits for them to end. */
export async function runPhase(run: GeneratorContext, phase: PhaseStats): Promise<void> {
  const inFlight = { n: 0 };
  const pending = new Set<Promise<void>>();
  phase.startedAt = Date.now();
  phase.loopDelay.enable();
  const endAt = phase.startedAt + phase.durationS * 1000;
  while (Date.now() < endAt && !run.watchers.closing) {
    const due = Math.floor(((Date.now() - phase.startedAt) / 1000) * phase.rate);
    while (phase.attempted < due) {
      phase.attempted++;
      if (inFlight.n >= run.maxInFlight) {
        phase.notSent++;
        continue;
      }
      const request = postSearch(run, phase, run.queries(), inFlight);
      pending.add(request);
      void request.finally(() => pending.delete(request));
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  phase.endedAt = Date.now();
  await Promise.all(pending);
  // Let the last searches end (deadline) and their events arrive.
  const drainUntil = Date.now() + DRAIN_MS;
  while (Date.now() < drainUntil && run.watchers.hasUnended(phase)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  phase.loopDelay.disable();
}

/**
 * One search end to end before anything is measured: the first request to each route loads its
 * code (measured: POSTs queued for seconds behind it), which is start-up, not load.
 */
export async function warmUp(url: string, siteIds: readonly string[]): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await fetch(`${url}/api/health`);
    const response = await fetch(`${url}/api/searches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Warm-up Bakery ${round}`, location: 'Austin, TX', sites: siteIds }),
    });
    if (response.status !== 201) throw new Error(`warm-up POST /api/searches answered ${response.status}: ${await response.text()}`);
    const { id } = (await response.json()) as { id: string };
    await fetch(`${url}/api/searches/${id}`);
  }
}
