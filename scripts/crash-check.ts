/**
 * `npm run check:crash` — sitescan loses nothing and doubles nothing when it is killed mid-work.
 *
 *   start server ─▶ POST 100 searches ─▶ ~1 s (mid-flight) ─▶ kill -9 ─▶ restart on the same DATA_DIR
 *        │                                                                  │
 *        └─ one socket watches every search (what browsers saw) ─┐          ▼
 *                                                                └─▶ GET /api/searches/:id for each
 *
 * For every search it started, after the restart:
 * - it exists and is terminal: `completed`, or `interrupted` (it was running at the kill: its open
 *   jobs fail with reason `interrupted`, its finished results are kept);
 * - its events carry seq 1..n with no gap and no duplicate, start with `search:created` and end
 *   with the one search-terminal event that matches its status;
 * - each site job has exactly one terminal event, and nothing happens to it after that;
 * - its results and summary are what its events say (replayed through lib/search-state.ts);
 * - a second, clean restart changes nothing (recovery is done once, not on every start).
 *
 * - every event pushed live to the watching socket before the kill is in the store with the same
 *   seq, type, site and time: an event is pushed only once durable, so a crash never takes back
 *   what a client was shown (a violation; a warning with `--allow-lost-live`).
 *
 * Runs once per kill moment (`--kill-after 250,1000,3000` is three runs, each on a fresh
 * DATA_DIR), `--runs` times over. Prints a summary table per run and a total, and exits 1 on any
 * violation. Options (flag or env):
 *   --searches N      CRASH_SEARCHES   searches to start (default 100)
 *   --kill-after MS[,MS…]  CRASH_KILL_AFTER_MS  wait after the last 201 before kill -9, one run each (default 1000)
 *   --runs N          CRASH_RUNS       repeat the list of kill moments N times (default 1)
 *   --priority P      CRASH_PRIORITY   interactive | bulk (default bulk: 120 s deadline, so they are mid-flight)
 *   --allow-lost-live                  lost live events are warnings, not violations
 *   --no-build                         do not run `next build` when the build is stale
 *   --keep                             keep the temp DATA_DIR and server logs
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import { applyEventToResults, summarize } from '../lib/search-state';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../lib/socket-events';
import { isSiteEndEvent, isTerminalStatus, type SearchEvent, type SearchSnapshot, type SiteResult } from '../lib/types';
// @ts-expect-error -- a plain .mjs script without types
import { buildIfNeeded } from './build-if-needed.mjs';
import { freePort, killAllChildren, SERVER_NODE_ARGS, startReadyChild, stopChild, type ReadyChild } from './support/child-process';
import { numberOption } from './support/number-option';

const READY_TIMEOUT_MS = 90_000;
const SEARCH_END_EVENTS: Readonly<Record<string, string>> = {
  completed: 'search:completed',
  cancelled: 'search:cancelled',
  interrupted: 'search:interrupted',
};

const { values: flags } = parseArgs({
  options: {
    searches: { type: 'string' },
    'kill-after': { type: 'string' },
    priority: { type: 'string' },
    'allow-lost-live': { type: 'boolean', default: false },
    runs: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const SEARCHES = numberOption('--searches', flags.searches ?? process.env.CRASH_SEARCHES, 100, 1, 10_000);
const KILL_AFTERS_MS = (flags['kill-after'] ?? process.env.CRASH_KILL_AFTER_MS ?? '1000')
  .split(',')
  .map((ms) => numberOption('--kill-after', ms.trim(), 1_000, 0, 600_000));
const RUNS = numberOption('--runs', flags.runs ?? process.env.CRASH_RUNS, 1, 1, 100);
const PRIORITY = flags.priority ?? process.env.CRASH_PRIORITY ?? 'bulk';
if (PRIORITY !== 'bulk' && PRIORITY !== 'interactive') {
  throw new TypeError(`Expected \`--priority\` to be interactive or bulk, got ${JSON.stringify(PRIORITY)}`);
}

// --- a real sitescan in a child process ---------------------------------------------------------

interface ServerProcess extends ReadyChild {
  readonly url: string;
}

/** Starts `node --import tsx server/index.ts` and resolves once it logs that it is ready. */
async function startServer(env: Record<string, string>, logFile: string): Promise<ServerProcess> {
  const port = await freePort();
  const child = await startReadyChild({
    name: 'sitescan',
    args: SERVER_NODE_ARGS,
    env: { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', HOST: '127.0.0.1', PORT: String(port), ...env },
    ready: 'sitescan is ready',
    logFile,
    timeoutMs: READY_TIMEOUT_MS,
  });
  return { ...child, url: `http://127.0.0.1:${port}` };
}

const stopServer = (server: ServerProcess, signal: NodeJS.Signals) => stopChild(server, signal);

// --- the checks ---------------------------------------------------------------------------------

/** One broken invariant: `kind` names it (for the summary), `detail` says where and how. */
interface Violation {
  readonly kind: string;
  readonly detail: string;
}

/** The invariants a fetched search breaks; empty when it holds them all. */
function violationsOf(snapshot: SearchSnapshot): Violation[] {
  const problems: Violation[] = [];
  const fail = (kind: string, detail: string) => problems.push({ kind, detail });
  const { search, results, events } = snapshot;

  if (search.status !== 'completed' && search.status !== 'interrupted') fail('not terminal', `status is ${search.status}`);

  const seqs = events.map((event) => event.seq);
  const distinct = new Set(seqs);
  if (distinct.size !== seqs.length) fail('duplicate seq', `${seqs.length - distinct.size} duplicate seqs`);
  const gap = seqs.findIndex((seq, index) => seq !== index + 1);
  if (gap >= 0) fail('seq gap', `position ${gap + 1} holds seq ${seqs[gap]}`);

  const created = events[0];
  if (created?.type !== 'search:created') fail('log start', `first event is ${created?.type ?? 'missing'}`);
  const searchEnds = events.filter((event) => event.type !== 'search:created' && event.type.startsWith('search:'));
  if (searchEnds.length !== 1) fail('search ends != 1', `${searchEnds.length} search-terminal events`);
  else if (events.at(-1) !== searchEnds[0]) fail('log end', `${searchEnds[0]!.type} is not the last event`);
  else if (SEARCH_END_EVENTS[search.status] !== searchEnds[0]!.type) {
    fail('status vs log', `status ${search.status} but the log ends with ${searchEnds[0]!.type}`);
  }

  for (const result of results) {
    const siteEvents = events.filter((event) => event.siteId === result.siteId);
    const terminal = siteEvents.filter(isSiteEndEvent);
    if (terminal.length !== 1) fail('site job ends != 1', `${result.siteId}: ${terminal.length} terminal events`);
    else if (siteEvents.at(-1) !== terminal[0]) fail('event after site end', `${result.siteId}: ${siteEvents.at(-1)!.type} after ${terminal[0]!.type}`);
    if (!isTerminalStatus(result.status)) fail('site job open', `${result.siteId}: result is ${result.status}`);
  }
  const known = new Set(results.map((result) => result.siteId));
  for (const siteId of new Set(events.flatMap((event) => (event.siteId ? [event.siteId] : [])))) {
    if (!known.has(siteId)) fail('events without result', `${siteId} has events but no result`);
  }

  // The results and summary served must be what the log says.
  let replayed: readonly SiteResult[] = [];
  for (const event of events) replayed = applyEventToResults(replayed, event);
  const fields = ['status', 'outcome', 'attempts', 'error', 'listing'] as const;
  const valueOf = (result: SiteResult, field: (typeof fields)[number]) =>
    JSON.stringify(field === 'listing' ? (result.listing?.name ?? null) : (result[field] ?? null));
  for (const result of results) {
    const fromLog = replayed.find((candidate) => candidate.siteId === result.siteId);
    if (!fromLog) {
      fail('result not in log', `${result.siteId}`);
      continue;
    }
    for (const field of fields) {
      if (valueOf(result, field) !== valueOf(fromLog, field)) {
        fail(`result.${field} != log`, `${result.siteId}: result ${valueOf(result, field)}, log ${valueOf(fromLog, field)}`);
      }
    }
  }
  if (replayed.length !== results.length) fail('result count', `${results.length} results, the log has ${replayed.length}`);
  if (JSON.stringify(search.summary) !== JSON.stringify(summarize(results))) {
    fail('summary != results', `summary ${JSON.stringify(search.summary)}`);
  }
  return problems;
}

// --- the run ------------------------------------------------------------------------------------

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

async function createSearches(url: string, count: number): Promise<{ ids: string[]; refused: Record<string, number> }> {
  const ids: string[] = [];
  const refused: Record<string, number> = {};
  const giveUpAt = Date.now() + 60_000;
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      for (;;) {
        const response = await fetch(`${url}/api/searches`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Crash Check Bakery ${index + 1}`, location: 'Austin, TX', priority: PRIORITY }),
        });
        if (response.status === 201) {
          ids.push(((await response.json()) as { id: string }).id);
          return;
        }
        refused[response.status] = (refused[response.status] ?? 0) + 1;
        const retryAfterS = Number(response.headers.get('retry-after'));
        if (response.status !== 429 || !retryAfterS || Date.now() + retryAfterS * 1000 > giveUpAt) {
          throw new Error(`POST /api/searches answered ${response.status}: ${await response.text()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, retryAfterS * 1000));
      }
    }),
  );
  return { ids, refused };
}

/** One socket watching every search, as browsers would: the events they were shown, by search. */
async function watch(url: string, ids: readonly string[]): Promise<{ seen: Map<string, Map<number, SearchEvent>>; close(): void }> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, { transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const seen = new Map<string, Map<number, SearchEvent>>(ids.map((id) => [id, new Map()]));
  const record = (id: string, event: SearchEvent) => seen.get(id)?.set(event.seq, event);
  socket.on('search:event', ({ searchId, ...event }) => record(searchId, event));
  await Promise.all(
    ids.map(
      (id) =>
        new Promise<void>((resolve, reject) => {
          socket.emit('search:subscribe', { searchId: id, afterSeq: 0 }, (ack: SubscribeAck) => {
            if (!ack.ok) return reject(new Error(`subscribe ${id}: ${ack.error.message}`));
            for (const event of ack.events) record(id, event);
            resolve();
          });
        }),
    ),
  );
  return { seen, close: () => socket.close() };
}

/** Where two JSON values first differ (`results.3.attempts: 0 → 1`), or undefined when equal; key order ignored. */
function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${at || '(root)'}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], at ? `${at}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

function pad(cells: readonly (string | number)[], widths: readonly number[]): string {
  return cells.map((cell, i) => String(cell).padEnd(widths[i]!)).join('  ');
}

/** A broken invariant of one search. */
type Finding = Violation & { readonly searchId: string };

/** What was under way when the server was killed. */
interface Crash {
  readonly ids: readonly string[];
  /** POSTs refused before their 201, by status (retried after their Retry-After). */
  readonly refused: Record<string, number>;
  readonly runningAtKill: number | string;
  /** Events pushed live to the watching socket before the kill, by search and seq. */
  readonly seen: Map<string, Map<number, SearchEvent>>;
  readonly liveEventsAtKill: number;
}

/** Starts the server, starts the searches with a socket watching them, and kills it (-9) mid-flight. */
async function crashMidWork(env: Record<string, string>, dataDir: string, logFile: string, killAfterMs: number): Promise<Crash> {
  const server = await startServer(env, logFile);
  console.log(`crash-check: sitescan up at ${server.url} (data ${dataDir}); starting ${SEARCHES} ${PRIORITY} searches`);
  const { ids, refused } = await createSearches(server.url, SEARCHES);
  const watcher = await watch(server.url, ids);
  await new Promise((resolve) => setTimeout(resolve, killAfterMs));
  const health = await getJson<{ load?: { runningSearches: number; bufferedJobs: number } }>(`${server.url}/api/health`);
  const liveEventsAtKill = [...watcher.seen.values()].reduce((sum, events) => sum + events.size, 0);
  await stopServer(server, 'SIGKILL');
  watcher.close();
  console.log(
    `crash-check: kill -9 with ${health.body.load?.runningSearches ?? '?'} searches running, ${health.body.load?.bufferedJobs ?? '?'} jobs buffered, ${liveEventsAtKill} events pushed so far; restarting`,
  );
  return { ids, refused, runningAtKill: health.body.load?.runningSearches ?? '?', seen: watcher.seen, liveEventsAtKill };
}

/** What the restarted server holds for the searches, checked. */
interface Recovery {
  readonly byStatus: Record<string, number>;
  readonly violations: Finding[];
  /** Searches with events shown live before the kill that the store does not hold. */
  readonly warnings: Finding[];
  readonly eventsChecked: number;
  readonly interruptedWithResults: number;
  /** Each search as the first restart served it. */
  readonly after: Map<string, SearchSnapshot>;
}

/** How many of the events a browser was shown before the kill the store does not hold as shown. */
function lostLiveEvents(snapshot: SearchSnapshot, shown: Map<number, SearchEvent> | undefined): number {
  const persisted = new Map(snapshot.events.map((event) => [event.seq, event]));
  let lost = 0;
  for (const [seq, event] of shown ?? []) {
    const now = persisted.get(seq);
    if (!now || now.type !== event.type || now.siteId !== event.siteId || now.at !== event.at) lost++;
  }
  return lost;
}

/** Reads every search from the restarted server at `url` and checks it. */
async function checkRecovery(url: string, crash: Crash): Promise<Recovery> {
  const byStatus: Record<string, number> = {};
  const violations: Finding[] = [];
  const warnings: Finding[] = [];
  let eventsChecked = 0;
  let interruptedWithResults = 0;
  const after = new Map<string, SearchSnapshot>();
  for (const id of crash.ids) {
    const { status, body } = await getJson<SearchSnapshot>(`${url}/api/searches/${id}`);
    if (status !== 200) {
      byStatus[`http ${status}`] = (byStatus[`http ${status}`] ?? 0) + 1;
      violations.push({ searchId: id, kind: 'search lost', detail: `GET answered ${status}` });
      continue;
    }
    after.set(id, body);
    byStatus[body.search.status] = (byStatus[body.search.status] ?? 0) + 1;
    eventsChecked += body.events.length;
    for (const problem of violationsOf(body)) violations.push({ searchId: id, ...problem });
    if (body.search.status === 'interrupted' && body.results.some((result) => result.status === 'done')) interruptedWithResults++;
    const lost = lostLiveEvents(body, crash.seen.get(id));
    if (lost > 0) {
      warnings.push({ searchId: id, kind: 'pushed live, then lost', detail: `${lost} events shown before the kill are not in the store; their seqs now name other events` });
    }
  }
  return { byStatus, violations, warnings, eventsChecked, interruptedWithResults, after };
}

/** A clean restart must not recover again: every search stays exactly as it is. The searches it changed. */
async function checkCleanRestart(url: string, after: Map<string, SearchSnapshot>, violations: Finding[]): Promise<number> {
  let changedOnRestart = 0;
  for (const [id, before] of after) {
    const { body } = await getJson<SearchSnapshot>(`${url}/api/searches/${id}`);
    const difference = firstDifference(before, body);
    if (difference) {
      changedOnRestart++;
      violations.push({
        searchId: id,
        kind: 'changed by a 2nd restart',
        detail: difference,
      });
    }
  }
  return changedOnRestart;
}

/** The summary table, then each kind of violation and warning with one example. */
function printSummary(crash: Crash, recovery: Recovery, changedOnRestart: number, lostLive: number, seconds: string): void {
  const { violations, warnings } = recovery;
  const rows: [string, string | number][] = [
    ['searches started', crash.ids.length],
    ['refused before 201 (retried)', Object.entries(crash.refused).map(([s, n]) => `${s}×${n}`).join(' ') || 0],
    ['running at kill -9', crash.runningAtKill],
    ['events pushed live before kill', crash.liveEventsAtKill],
    ...Object.entries(recovery.byStatus).map(([status, count]): [string, number] => [`after restart: ${status}`, count]),
    ['interrupted with kept results', recovery.interruptedWithResults],
    ['events checked', recovery.eventsChecked],
    ['changed by a 2nd restart', changedOnRestart],
    ['searches with lost live events', `${lostLive}${flags['allow-lost-live'] ? ' (allowed: warnings)' : ' (violations)'}`],
    ['violations', violations.length],
    ['seconds', seconds],
  ];
  console.log('\ncrash-check');
  for (const [name, value] of rows) console.log(`  ${pad([name, value], [32, 0])}`);
  for (const [label, list] of [['VIOLATION', violations], ['warning', warnings]] as const) {
    const kinds = new Map<string, typeof list>();
    for (const item of list) kinds.set(item.kind, [...(kinds.get(item.kind) ?? []), item]);
    for (const [kind, items] of kinds) {
      const searches = new Set(items.map((item) => item.searchId)).size;
      console.log(`  ${label} ${kind}: ${items.length} in ${searches} searches, e.g. ${items[0]!.searchId}: ${items[0]!.detail}`);
    }
  }
}

/** What one run found, for the total. */
interface RunOutcome {
  readonly killAfterMs: number;
  readonly liveEvents: number;
  readonly lostLive: number;
  readonly violations: number;
}

async function main(): Promise<void> {
  if (!flags['no-build']) (buildIfNeeded as () => boolean)();
  const outcomes: RunOutcome[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (const killAfterMs of KILL_AFTERS_MS) {
      console.log(`\ncrash-check: run ${outcomes.length + 1} of ${RUNS * KILL_AFTERS_MS.length}, kill -9 ${killAfterMs} ms after the last 201`);
      outcomes.push(await runOnce(killAfterMs));
    }
  }
  if (outcomes.length > 1) {
    console.log('\ncrash-check total');
    console.log(`  ${pad(['kill after ms', 'live events', 'searches with lost live events', 'violations'], [14, 12, 31, 0])}`);
    for (const o of outcomes) console.log(`  ${pad([o.killAfterMs, o.liveEvents, o.lostLive, o.violations], [14, 12, 31, 0])}`);
  }
  process.exitCode = outcomes.some((outcome) => outcome.violations > 0) ? 1 : 0;
}

/** One kill -9 and two restarts on a fresh DATA_DIR. */
async function runOnce(killAfterMs: number): Promise<RunOutcome> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sitescan-crash-'));
  const logFile = path.join(dataDir, 'server.log');
  const env = {
    DATA_DIR: dataDir,
    SANDBOX: '1',
    BULK_DEADLINE_MS: '120000',
    // One client starts every search here; the per-client limit is not what this checks.
    CLIENT_SEARCHES_PER_MINUTE: '1000000',
    LOG_LEVEL: 'info',
  };
  const started = Date.now();
  const crash = await crashMidWork(env, dataDir, logFile, killAfterMs);

  let server = await startServer(env, logFile);
  const recovery = await checkRecovery(server.url, crash);
  await stopServer(server, 'SIGTERM');
  server = await startServer(env, logFile);
  const changedOnRestart = await checkCleanRestart(server.url, recovery.after, recovery.violations);
  await stopServer(server, 'SIGTERM');

  const lostLive = recovery.warnings.length;
  if (!flags['allow-lost-live']) recovery.violations.push(...recovery.warnings.splice(0));
  printSummary(crash, recovery, changedOnRestart, lostLive, ((Date.now() - started) / 1000).toFixed(1));

  if (flags.keep) console.log(`  data and server log kept in ${dataDir}`);
  else await rm(dataDir, { recursive: true, force: true });
  return { killAfterMs, liveEvents: crash.liveEventsAtKill, lostLive, violations: recovery.violations.length };
}

main().catch((error: unknown) => {
  console.error('crash-check failed:', error);
  killAllChildren();
  process.exitCode = 1;
});
