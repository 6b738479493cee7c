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
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, LiveSearchEvent, ServerToClientEvents, SubscribeAck } from '../lib/socket-events';
import { isSearchEndEvent, isSiteEndEvent, type SearchEvent, type SiteInfo } from '../lib/types';
import { reasonOf } from '../lib/search-state';
import { createDataset } from '../server/sandbox/dataset';
// @ts-expect-error -- a plain .mjs script without types
import { buildIfNeeded } from './build-if-needed.mjs';
import { freePort, killAllChildren, SERVER_NODE_ARGS, startReadyChild, stopChild, type ReadyChild } from './support/child-process';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 90_000;
const SAMPLE_EVERY_MS = 5_000;
const PROBE_EVERY_MS = 250;
/** The interactive deadline (5 s) plus room for the last events to arrive. */
const DRAIN_MS = 15_000;

// --- options ------------------------------------------------------------------------------------

const { values: flags } = parseArgs({
  options: {
    spawn: { type: 'boolean', default: false },
    url: { type: 'string' },
    pid: { type: 'string' },
    rate: { type: 'string' },
    clients: { type: 'string' },
    duration: { type: 'string' },
    watchers: { type: 'string' },
    sites: { type: 'string' },
    warmup: { type: 'string' },
    overload: { type: 'boolean', default: false },
    'overload-factor': { type: 'string' },
    'overload-duration': { type: 'string' },
    'max-in-flight': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'server-env': { type: 'string', multiple: true },
    'server-node-arg': { type: 'string', multiple: true },
    seed: { type: 'string' },
    out: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
  },
});

function numberOption(name: string, value: string | undefined, fallback: number, min: number, max: number, integer = true): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max || (integer && !Number.isInteger(parsed))) {
    throw new TypeError(`Expected \`${name}\` to be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

const options = {
  spawn: flags.spawn,
  url: flags.url ?? process.env.LOAD_URL ?? 'http://127.0.0.1:3000',
  pid: flags.pid ?? process.env.LOAD_SERVER_PID,
  rate: numberOption('--rate', flags.rate ?? process.env.LOAD_RATE, 20, 0.1, 10_000, false),
  clients: numberOption('--clients', flags.clients ?? process.env.LOAD_CLIENTS, 1_000, 0, 20_000),
  durationS: numberOption('--duration', flags.duration ?? process.env.LOAD_DURATION_S, 60, 1, 3_600),
  // At least one watcher per search: search times are measured from the events it receives.
  watchers: numberOption('--watchers', flags.watchers ?? process.env.LOAD_WATCHERS, 3, 1, 1_000),
  sites: numberOption('--sites', flags.sites ?? process.env.LOAD_SITES, 30, 1, 500),
  // 30 s: at 20 searches/s the server's young generation (64 MB semi-space) and its caches take
  // ~25 s to reach their size (measured: RSS 487 → 693 MB by 20 s, then 693–709 MB to the end).
  warmupS: numberOption('--warmup', flags.warmup ?? process.env.LOAD_WARMUP_S, 30, 0, 3_600),
  overload: flags.overload,
  overloadFactor: numberOption('--overload-factor', flags['overload-factor'], 5, 1, 1_000, false),
  overloadDurationS: numberOption('--overload-duration', flags['overload-duration'], 20, 1, 3_600),
  maxInFlight: numberOption('--max-in-flight', flags['max-in-flight'], 256, 1, 100_000),
  cpuProf: flags['cpu-prof'],
  serverEnv: Object.fromEntries(
    (flags['server-env'] ?? []).map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new TypeError(`Expected \`--server-env\` as KEY=VALUE, got ${JSON.stringify(pair)}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  ) as Record<string, string>,
  serverNodeArgs: flags['server-node-arg'] ?? [],
  seed: numberOption('--seed', flags.seed ?? process.env.SANDBOX_SEED, 1, 0, 2 ** 31 - 1),
  out: flags.out ?? path.join(ROOT, 'bench/results/load.json'),
  build: !flags['no-build'],
  keepLogs: flags['keep-logs'],
};
if (options.cpuProf && !options.spawn) throw new TypeError('`--cpu-prof` needs `--spawn` (it profiles the server it starts)');
if (!options.spawn) {
  const { hostname } = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) {
    throw new TypeError(`Expected \`--url\` on 127.0.0.1 (a load test never leaves this machine), got ${options.url}`);
  }
}

// --- processes ----------------------------------------------------------------------------------

/** Spawns `node <args>` logging to `logFile`, resolving once `ready` is on its stdout. */
const startChild = (name: string, args: readonly string[], env: Record<string, string>, logFile: string, ready: string) =>
  startReadyChild({ name, args, env, logFile, ready, timeoutMs: READY_TIMEOUT_MS });

/** Resident set size of a process in MB, from /proc (Linux). */
async function rssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : undefined;
  } catch {
    // The process is gone (or this is not Linux): no sample, said so by the undefined.
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 10 ms). */
async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    // As in rssMb: a vanished process gives no sample.
    return undefined;
  }
}

// --- measurement --------------------------------------------------------------------------------

/** Numbers with percentiles (nearest rank). */
class Samples {
  private values: number[] = [];
  private sorted = true;

  add(value: number): void {
    this.values.push(value);
    this.sorted = false;
  }

  get count(): number {
    return this.values.length;
  }

  percentile(p: number): number | undefined {
    if (this.values.length === 0) return undefined;
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    return this.values[Math.min(this.values.length - 1, Math.max(0, Math.ceil((p / 100) * this.values.length) - 1))];
  }

  summary(): { count: number; p50?: number; p95?: number; p99?: number; max?: number } {
    const at = (p: number) => {
      const value = this.percentile(p);
      return value === undefined ? undefined : Math.round(value * 10) / 10;
    };
    return { count: this.count, p50: at(50), p95: at(95), p99: at(99), max: at(100) };
  }
}

const increment = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

interface PhaseStats {
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

function newPhase(name: string, rate: number, durationS: number): PhaseStats {
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

/** Slowest `/api/health` and POST since the last RSS sample: when the server stalled, not only how much. */
const sinceLastSample = { healthMaxMs: 0, postMaxMs: 0 };

/** Errors outside any one phase's HTTP answers: sockets and logs. */
const socketErrors: Record<string, number> = {};

interface TrackedSearch {
  readonly id: string;
  readonly phase: PhaseStats;
  readonly postAt: number;
  createdAt?: number;
  ended: boolean;
}

interface Subscription {
  readonly search: TrackedSearch;
  /** This watcher counts the search's site outcomes (one per search, so they are not counted K times). */
  readonly primary: boolean;
  readonly seqs: Set<number>;
  readonly liveSeqs: Set<number>;
  acked: boolean;
  endSeq?: number;
  done: boolean;
}

interface Client {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly subscriptions: Map<string, Subscription>;
  connected: boolean;
}

const searches = new Map<string, TrackedSearch>();
const clients: Client[] = [];
const finishedSubscriptions: Subscription[] = [];
let nextWatcher = 0;
let closing = false;

function notice(sub: Subscription, event: SearchEvent, receivedAt: number): void {
  sub.seqs.add(event.seq);
  const { search } = sub;
  if (event.type === 'search:created') search.createdAt ??= event.at;
  if (isSearchEndEvent(event)) {
    sub.endSeq = event.seq;
    if (!search.ended) {
      search.ended = true;
      increment(search.phase.searchEnds, event.type.slice('search:'.length));
      search.phase.clientSearchMs.add(receivedAt - search.postAt);
      if (search.createdAt !== undefined) search.phase.serverSearchMs.add(event.at - search.createdAt);
    }
  }
  if (sub.primary && event.siteId && isSiteEndEvent(event)) {
    const outcome = event.type === 'site:done' ? `done/${event.data?.outcome ?? '?'}` : event.type.slice('site:'.length);
    increment(search.phase.siteJobs, outcome);
    if (event.type !== 'site:done') increment(search.phase.failureReasons, String(reasonOf(event) ?? 'none').replace(/\d+/g, 'N'));
  }
}

function finishIfComplete(client: Client, sub: Subscription): void {
  if (sub.done || sub.endSeq === undefined || !sub.acked || sub.seqs.size < sub.endSeq) return;
  sub.done = true;
  client.subscriptions.delete(sub.search.id);
  finishedSubscriptions.push(sub);
  client.socket.emit('search:unsubscribe', { searchId: sub.search.id });
}

async function connectClients(url: string, count: number): Promise<number> {
  const started = performance.now();
  for (let batch = 0; batch < count; batch += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - batch) }, () => {
        const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          timeout: 20_000,
        });
        const client: Client = { socket, subscriptions: new Map(), connected: false };
        clients.push(client);
        socket.on('search:event', (event: LiveSearchEvent) => {
          const receivedAt = Date.now();
          const sub = client.subscriptions.get(event.searchId);
          const search = sub?.search ?? searches.get(event.searchId);
          if (search) {
            search.phase.messages++;
            search.phase.pushLatencyMs.add(receivedAt - event.at);
          }
          if (!sub) return;
          if (sub.liveSeqs.has(event.seq)) increment(socketErrors, 'live event pushed twice');
          sub.liveSeqs.add(event.seq);
          notice(sub, event, receivedAt);
          finishIfComplete(client, sub);
        });
        socket.on('disconnect', (reason) => {
          client.connected = false;
          if (!closing) increment(socketErrors, `disconnect: ${reason}`);
        });
        return new Promise<void>((resolve) => {
          socket.once('connect', () => {
            client.connected = true;
            resolve();
          });
          socket.once('connect_error', (error) => {
            increment(socketErrors, `connect_error: ${error.message}`);
            resolve();
          });
        });
      }),
    );
  }
  return performance.now() - started;
}

function watch(search: TrackedSearch, watchers: number): void {
  const live = clients.filter((client) => client.connected);
  for (let k = 0; k < Math.min(watchers, live.length); k++) {
    const client = live[nextWatcher++ % live.length]!;
    const sub: Subscription = { search, primary: k === 0, seqs: new Set(), liveSeqs: new Set(), acked: false, done: false };
    client.subscriptions.set(search.id, sub);
    client.socket.timeout(15_000).emit('search:subscribe', { searchId: search.id, afterSeq: 0 }, (error: Error | null, ack: SubscribeAck) => {
      if (error || !ack.ok) {
        increment(socketErrors, error ? 'subscribe timed out' : `subscribe refused: ${ack.ok ? '' : ack.error.code}`);
        client.subscriptions.delete(search.id);
        return;
      }
      const receivedAt = Date.now();
      for (const event of ack.events) notice(sub, event, receivedAt);
      sub.acked = true;
      finishIfComplete(client, sub);
    });
  }
}

// --- the generator ------------------------------------------------------------------------------

interface Query {
  readonly name: string;
  readonly location: string;
  readonly phone?: string;
}

async function postSearch(url: string, phase: PhaseStats, query: Query, siteIds: readonly string[], watchers: number, inFlight: { n: number }): Promise<void> {
  const postAt = Date.now();
  const started = performance.now();
  inFlight.n++;
  try {
    const response = await fetch(`${url}/api/searches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...query, sites: siteIds }),
      signal: AbortSignal.timeout(30_000),
    });
    const postMs = performance.now() - started;
    phase.postMs.add(postMs);
    sinceLastSample.postMaxMs = Math.max(sinceLastSample.postMaxMs, postMs);
    if (response.status === 201) {
      const { id } = (await response.json()) as { id: string };
      phase.created++;
      const search: TrackedSearch = { id, phase, postAt, ended: false };
      searches.set(id, search);
      watch(search, watchers);
      return;
    }
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    increment(phase.http, String(response.status));
    if (response.status === 429) {
      phase.shed.count++;
      const retryAfter = response.headers.get('retry-after');
      if (retryAfter !== null && Number(retryAfter) > 0) {
        phase.shed.withRetryAfter++;
        phase.shed.retryAfterS.add(Number(retryAfter));
      }
      const message = body.error?.message ?? '';
      increment(phase.shed.byReason, /from this client/.test(message) ? 'per-client limit' : /site jobs waiting/.test(message) ? 'admission (buffer full)' : message.slice(0, 60) || 'unknown');
    }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    increment(phase.http, `network: ${cause?.code ?? (error as Error).name}`);
  } finally {
    inFlight.n--;
  }
}

/** Sends `rate` searches per second for `durationS`, on schedule (a late tick catches up). */
async function runPhase(url: string, phase: PhaseStats, queries: () => Query, siteIds: readonly string[], watchers: number): Promise<void> {
  const inFlight = { n: 0 };
  const pending = new Set<Promise<void>>();
  phase.startedAt = Date.now();
  phase.loopDelay.enable();
  const endAt = phase.startedAt + phase.durationS * 1000;
  while (Date.now() < endAt && !closing) {
    const due = Math.floor(((Date.now() - phase.startedAt) / 1000) * phase.rate);
    while (phase.attempted < due) {
      phase.attempted++;
      if (inFlight.n >= options.maxInFlight) {
        phase.notSent++;
        continue;
      }
      const request = postSearch(url, phase, queries(), siteIds, watchers, inFlight);
      pending.add(request);
      void request.finally(() => pending.delete(request));
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  phase.endedAt = Date.now();
  await Promise.all(pending);
  // Let the last searches end (deadline) and their events arrive.
  const drainUntil = Date.now() + DRAIN_MS;
  while (Date.now() < drainUntil && [...searches.values()].some((search) => search.phase === phase && !search.ended)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  phase.loopDelay.disable();
}

/**
 * One search end to end before anything is measured: the first request to each route loads its
 * code (measured: POSTs queued for seconds behind it), which is start-up, not load.
 */
async function warmUp(url: string, siteIds: readonly string[]): Promise<void> {
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

// --- CPU profile ----------------------------------------------------------------------------------

interface CpuProfile {
  readonly nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** Where a profiled process spent its time: self and inclusive shares by package, top functions. */
function summarizeProfile(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const area = (url: string, functionName: string) => {
    if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
    const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (modules) return modules[1]!;
    if (url.startsWith('node:')) return 'node:internal';
    const project = url.replace(/^file:\/\//, '').replace(ROOT, '');
    return project.startsWith('/') ? project : `sitescan/${project}`;
  };
  const self: Record<string, number> = {};
  const inclusive: Record<string, number> = {};
  const functions: Record<string, number> = {};
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    total += dt;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    const { url, functionName, lineNumber } = node.callFrame;
    increment(self, area(url, functionName), dt);
    increment(functions, `${functionName || '(anonymous)'} ${area(url, functionName)}:${lineNumber + 1}`, dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!frame.url) continue;
      const name = area(frame.url, frame.functionName);
      if (!seen.has(name)) {
        seen.add(name);
        increment(inclusive, name, dt);
      }
    }
  }
  const busy = total - idle;
  const top = (counts: Record<string, number>, n: number) =>
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), shareOfBusy: Math.round((us / busy) * 1000) / 1000 }));
  return {
    wallMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    selfByArea: top(self, 15),
    inclusiveByArea: top(inclusive, 15),
    topFunctions: top(functions, 20),
  };
}

// --- the run ------------------------------------------------------------------------------------

function phaseReport(phase: PhaseStats, serverPid: number | undefined) {
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

let workDir = '';

async function main(): Promise<void> {
  workDir = await mkdtemp(path.join(tmpdir(), 'sitescan-load-'));
  const loadAvgAtStart = loadavg();
  const started = Date.now();
  let url = options.url;
  let serverPid = options.pid ? Number(options.pid) : undefined;
  let sandboxPid: number | undefined;
  let server: ReadyChild | undefined;
  let sandbox: ReadyChild | undefined;
  let sandboxUrl: string | undefined;
  const profileDir = path.join(workDir, 'cpu');

  if (options.spawn) {
    if (options.build) (buildIfNeeded as () => boolean)();
    const sandboxPort = await freePort();
    sandbox = await startChild('sandbox',
      ['--import', 'tsx', 'server/sandbox/main.ts'],
      { SANDBOX_PORT: String(sandboxPort), SANDBOX_PROFILE: 'load', SANDBOX_SEED: String(options.seed), LOG_LEVEL: 'warn' },
      path.join(workDir, 'sandbox.log'),
      'sandbox network listening at',
    );
    sandboxPid = sandbox.process.pid;
    sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const sitesFile = path.join(workDir, 'sites.json');
    const definitions: unknown = await (await fetch(`${sandboxUrl}/__sandbox/sites`)).json();
    await writeFile(sitesFile, JSON.stringify(definitions));
    const port = await freePort();
    server = await startChild('sitescan',
      [...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...options.serverNodeArgs, ...SERVER_NODE_ARGS],
      {
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: path.join(workDir, 'data'),
        SANDBOX: '0',
        SITES_FILE: sitesFile,
        // Every search comes from this one client: the per-client limit would measure itself.
        CLIENT_SEARCHES_PER_MINUTE: '1000000',
        ...options.serverEnv,
      },
      path.join(workDir, 'sitescan.log'),
      'sitescan is ready',
    );
    serverPid = server.process.pid;
    url = `http://127.0.0.1:${port}`;
  }

  const { sites: registry } = (await (await fetch(`${url}/api/sites`)).json()) as { sites: SiteInfo[] };
  const perSecond = (site: SiteInfo) => (site.limits.requests * 1000) / site.limits.perMs;
  const chosen = registry
    .filter((site) => site.status === 'active')
    .sort((a, b) => perSecond(b) - perSecond(a))
    .slice(0, options.sites);
  const siteIds = chosen.map((site) => site.id);
  const businesses = createDataset({ seed: options.seed, size: 10_000, sites: [] }).businesses;
  let nextBusiness = 0;
  const queries = (): Query => {
    const business = businesses[nextBusiness++ % businesses.length]!;
    return { name: business.name, location: `${business.city}, ${business.state}`, ...(nextBusiness % 2 ? { phone: business.phone } : {}) };
  };

  console.log(
    `load: ${url} · ${siteIds.length} sites (${Math.round(Math.min(...chosen.map(perSecond)))}–${Math.round(Math.max(...chosen.map(perSecond)))} req/s each) · ` +
      `${options.rate}/s for ${options.durationS} s · ${options.clients} clients, ${options.watchers} per search${options.overload ? ` · then ${options.overloadFactor}× for ${options.overloadDurationS} s` : ''}`,
  );
  await warmUp(url, siteIds);
  const connectMs = await connectClients(url, options.clients);
  const connected = clients.filter((client) => client.connected).length;
  console.log(`load: ${connected}/${options.clients} clients connected in ${Math.round(connectMs)} ms`);

  const phases: PhaseStats[] = [newPhase('main', options.rate, options.durationS)];
  if (options.overload) phases.push(newPhase('overload', options.rate * options.overloadFactor, options.overloadDurationS));
  let current = phases[0]!;

  // Health prober and RSS sampler run across every phase.
  const samples: { tS: number; phase: string; serverRssMb?: number; sandboxRssMb?: number; generatorRssMb: number; serverCpuCores?: number; loadAvg1: number; healthMaxMs: number; postMaxMs: number; runningSearches?: number; bufferedJobs?: number }[] = [];
  let lastLoad: { runningSearches?: number; bufferedJobs?: number } = {};
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const phase = current;
      const t0 = performance.now();
      try {
        const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
        const body = (await response.json()) as { load?: { runningSearches: number; bufferedJobs: number } };
        const healthMs = performance.now() - t0;
        sinceLastSample.healthMaxMs = Math.max(sinceLastSample.healthMaxMs, healthMs);
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
        phase: current.name,
        serverRssMb: serverPid ? await rssMb(serverPid) : undefined,
        sandboxRssMb: sandboxPid ? await rssMb(sandboxPid) : undefined,
        generatorRssMb: Math.round(process.memoryUsage().rss / 104_857.6) / 10,
        serverCpuCores: cpu !== undefined && lastCpu !== undefined ? Math.round(((cpu - lastCpu) / ((now - lastCpuAt) / 1000)) * 100) / 100 : undefined,
        // Other work on this machine takes cores from the server: say how much there was.
        loadAvg1: Math.round(loadavg()[0]! * 100) / 100,
        healthMaxMs: Math.round(sinceLastSample.healthMaxMs),
        postMaxMs: Math.round(sinceLastSample.postMaxMs),
        ...lastLoad,
      });
      sinceLastSample.healthMaxMs = 0;
      sinceLastSample.postMaxMs = 0;
      lastCpu = cpu;
      lastCpuAt = now;
    })();
  }, SAMPLE_EVERY_MS);

  const stop = () => {
    closing = true;
  };
  process.once('SIGINT', stop);
  for (const phase of phases) {
    current = phase;
    console.log(`load: phase ${phase.name}: ${phase.rate}/s for ${phase.durationS} s`);
    phase.cpuAtStart = serverPid ? await cpuSeconds(serverPid) : undefined;
    phase.sandboxCpuAtStart = sandboxPid ? await cpuSeconds(sandboxPid) : undefined;
    await runPhase(url, phase, queries, siteIds, options.watchers);
    phase.cpuAtEnd = serverPid ? await cpuSeconds(serverPid) : undefined;
    phase.sandboxCpuAtEnd = sandboxPid ? await cpuSeconds(sandboxPid) : undefined;
  }
  probing = false;
  clearInterval(sampler);
  await prober;

  // Every watcher's log must be exactly 1..n; a search never seen ending is unfinished.
  const open = clients.flatMap((client) => [...client.subscriptions.values()]);
  for (const sub of [...finishedSubscriptions, ...open]) {
    const { logErrors } = sub.search.phase;
    if (!sub.acked) increment(logErrors, 'subscription never acked');
    else if (sub.endSeq === undefined) increment(logErrors, 'watcher never saw the end');
    else {
      let missing = 0;
      for (let seq = 1; seq <= sub.endSeq; seq++) if (!sub.seqs.has(seq)) missing++;
      if (missing > 0) increment(logErrors, 'missing seqs', missing);
    }
  }
  closing = true;
  for (const client of clients) client.socket.close();

  const sandboxStats = sandboxUrl
    ? ((await (await fetch(`${sandboxUrl}/__sandbox/stats`)).json()) as {
        sites: Record<string, { exceeded: boolean; rateLimited: number; requests: number }>;
      })
    : undefined;

  let cpuProfile: ReturnType<typeof summarizeProfile> & { file?: string } | undefined;
  if (server) await stopChild(server);
  if (sandbox) await stopChild(sandbox);
  if (options.cpuProf) {
    // tsx's loader runs in a worker thread with its own profile: keep the busiest one, the main thread.
    const files = (await readdir(profileDir).catch(() => [])).filter((file) => file.endsWith('.cpuprofile'));
    let busiest: { text: string; summary: ReturnType<typeof summarizeProfile> } | undefined;
    for (const file of files) {
      const text = await readFile(path.join(profileDir, file), 'utf8');
      const summary = summarizeProfile(JSON.parse(text) as CpuProfile);
      if (!busiest || summary.busyMs > busiest.summary.busyMs) busiest = { text, summary };
    }
    if (busiest) {
      // Megabytes: kept beside the temp files for DevTools, not in bench/results.
      const kept = path.join(tmpdir(), 'sitescan-load-server.cpuprofile');
      await writeFile(kept, busiest.text);
      cpuProfile = { ...busiest.summary, file: kept };
    } else {
      console.log('load: no CPU profile was written (did the server exit cleanly?)');
    }
  }

  // RSS trend after warm-up in the main phase: least-squares slope, MB per minute.
  const warm = samples.filter((sample) => sample.phase === 'main' && sample.serverRssMb !== undefined && sample.tS - samples[0]!.tS >= options.warmupS);
  let rssTrend: { samples: number; firstMb?: number; lastMb?: number; maxMb?: number; slopeMbPerMin?: number } = { samples: warm.length };
  if (warm.length >= 2) {
    const xs = warm.map((sample) => sample.tS / 60);
    const ys = warm.map((sample) => sample.serverRssMb!);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const slope = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0) / xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
    rssTrend = { samples: warm.length, firstMb: ys[0], lastMb: ys.at(-1), maxMb: Math.max(...ys), slopeMbPerMin: Math.round(slope * 10) / 10 };
  }

  const mainPhase = phaseReport(phases[0]!, serverPid);
  const overload = phases[1] ? phaseReport(phases[1], serverPid) : undefined;
  const mainErrors =
    Object.values(mainPhase.http).reduce((a, b) => a + b, 0) +
    Object.values(socketErrors).reduce((a, b) => a + b, 0) +
    Object.values(mainPhase.logErrors).reduce((a, b) => a + b, 0) +
    mainPhase.searches.unfinished +
    (options.clients - connected);
  const results = {
    at: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), loadAvgAtStart, loadAvgAtEnd: loadavg() },
    command: `npm run load --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    options: { ...options, sites: siteIds.length },
    sites: siteIds,
    clients: { requested: options.clients, connected, connectMs: Math.round(connectMs) },
    phases: { main: mainPhase, ...(overload ? { overload } : {}) },
    errors: { socketWholeRun: socketErrors, mainPhaseTotal: mainErrors },
    sandbox: sandboxStats
      ? {
          requests: Object.values(sandboxStats.sites).reduce((sum, site) => sum + site.requests, 0),
          rateLimited: Object.values(sandboxStats.sites).reduce((sum, site) => sum + site.rateLimited, 0),
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
    cpuProfile,
  };
  await mkdir(path.dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);

  const ms = (value: number | undefined) => (value === undefined ? '–' : `${Math.round(value)} ms`);
  console.log(`\nload results (${path.relative(ROOT, options.out)})`);
  for (const [name, phase] of Object.entries(results.phases)) {
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
  console.log(`  errors          main phase ${mainErrors} · socket (whole run) ${JSON.stringify(socketErrors)}`);
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
