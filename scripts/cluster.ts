/**
 * `npm run cluster` — a sitescan cluster on one machine: three nodes (by default) sharing one
 * Redis, one Elasticsearch and one sandbox network, each started as `npm start` would run it.
 *
 *   Redis ◀────────────────┐  (found running, or scripts/redis/start-background.sh)
 *   Elasticsearch ◀────────┤  (found running, or scripts/elasticsearch/start-background.sh)
 *                          ├── node-1 :3001 ┐
 *                          ├── node-2 :3002 ├──▶ sandbox :4010 (sites + place-API emulations)
 *                          └── node-3 :3003 ┘
 *
 * Each node runs with `SANDBOX=0`: one in-process sandbox per node would give each node its own
 * sites on its own port, while a cluster shares its sites and their limits. So the standalone
 * sandbox (`npm run sandbox`) runs once; its `/__sandbox/sites` become every node's `SITES_FILE`,
 * and its `/__sandbox/apis` every place adapter's `<KIND>_BASE_URL`, `<KIND>_LIMITS` and a sandbox
 * key (without them the keyless adapters, Nominatim and Overpass, would call the real APIs).
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it all in order: the nodes together (SIGTERM, each drains and
 * the last one to leave ends what still runs as interrupted), then the sandbox, then the
 * Elasticsearch and Redis this script started — never ones it found running. A node that dies
 * meanwhile (kill one to watch the others take over) is reported and the rest keep running.
 *
 * Options (flag, env, default):
 *   --nodes N      CLUSTER_NODES       number of nodes, 1–16 (3)
 *   --port P       CLUSTER_PORT        the first node's port; the others follow (3001)
 *   --no-build                         do not run `next build` when the build is stale
 *   --keep-logs                        keep the temp dir of logs after a clean stop (kept anyway on failure)
 *                  SANDBOX_PORT        the sandbox's port (4010); SANDBOX_SEED/SPEED/PROFILE as usual
 *                  REDIS_URL           use this Redis as it is; else REDIS_PORT (6379), started if silent
 *                  ELASTICSEARCH_URL   use this Elasticsearch as it is; else ES_PORT (9200), started if silent
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { ADAPTERS, envPrefix, SANDBOX_API_KEY } from '../server/sites/adapters';
// @ts-expect-error -- a plain .mjs script without types
import { buildIfNeeded } from './build-if-needed.mjs';
import { killAllChildren, ROOT, SERVER_NODE_ARGS, startReadyChild, stopChild, type ReadyChild } from './support/child-process';
import { numberOption } from './support/number-option';

const READY_TIMEOUT_MS = 90_000;
const HEALTH_TIMEOUT_MS = 30_000;
/** A node's own shutdown takes up to twice SHUTDOWN_TIMEOUT_MS (10 s): drain, then the store. */
const NODE_STOP_GRACE_MS = 30_000;

// --- options ------------------------------------------------------------------------------------

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string' },
    port: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
  },
});

const NODES = numberOption('--nodes', flags.nodes ?? process.env.CLUSTER_NODES, 3, 1, 16);
const FIRST_PORT = numberOption('--port', flags.port ?? process.env.CLUSTER_PORT, 3001, 1, 65_535 - NODES + 1);
const SANDBOX_PORT = numberOption('SANDBOX_PORT', process.env.SANDBOX_PORT, 4010, 1, 65_535);
const REDIS_PORT = numberOption('REDIS_PORT', process.env.REDIS_PORT, 6379, 1, 65_535);
const ES_PORT = numberOption('ES_PORT', process.env.ES_PORT, 9200, 1, 65_535);
/** The nodes' and the sandbox's logs, and the sites file; made once the build has passed. */
let workDir = '';

// --- what was started, stopped in reverse ------------------------------------------------------

/** One thing this script started, and how to stop it. */
interface Started {
  readonly name: string;
  stop(): Promise<void>;
}

const started: Started[] = [];
let stopping: Promise<void> | undefined;

/** Stops what was started, last first; once, however many signals and failures ask. */
function stopEverything(): Promise<void> {
  return (stopping ??= (async () => {
    for (let step = started.pop(); step; step = started.pop()) {
      try {
        await step.stop();
      } catch (error) {
        console.error(`cluster: could not stop ${step.name}: ${(error as Error).message}`);
      }
    }
    // A child still starting was never registered: it has no work yet, so a kill loses nothing.
    killAllChildren();
  })());
}

// --- Redis and Elasticsearch --------------------------------------------------------------------

/** Runs a bash script of scripts/ with its output on this terminal; rejects unless it exits 0. */
function runScript(script: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(ROOT, 'scripts', script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`scripts/${script} exited with ${code}`))));
  });
}

/** True when a Redis answers PING at `url` within a few seconds. */
async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // A refused connection is the answer sought here, not a fault: the caller reports it.
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** True when anything speaks HTTP at `url` (Elasticsearch's root answers even when yellow). */
async function httpAnswers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(3_000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * A service the nodes need: the one at `givenUrl` as it is (it must answer), else the one on
 * the local port, started by its script when silent and then stopped by it at the end.
 */
async function ensureService(service: {
  readonly name: string;
  readonly givenUrl?: string;
  readonly localUrl: string;
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly answers: (url: string) => Promise<boolean>;
}): Promise<string> {
  const { name, givenUrl, localUrl, dir, env, answers } = service;
  if (givenUrl) {
    if (!(await answers(givenUrl))) throw new Error(`${name} does not answer at ${givenUrl} (given in the environment)`);
    console.log(`cluster: using ${name} at ${givenUrl}`);
    return givenUrl;
  }
  if (await answers(localUrl)) {
    console.log(`cluster: ${name} already answers at ${localUrl}; using it (and leaving it running)`);
    return localUrl;
  }
  // Registered before it starts: a start cut short leaves a PID file that stop.sh follows.
  started.push({ name, stop: () => runScript(`${dir}/stop.sh`, env) });
  await runScript(`${dir}/start-background.sh`, env);
  return localUrl;
}

// --- the sandbox --------------------------------------------------------------------------------

/** The standalone sandbox network, in a process group of its own (see `detached`). */
async function startSandbox(): Promise<string> {
  const child = await startReadyChild({
    name: 'sandbox',
    args: ['--import', 'tsx', 'server/sandbox/main.ts'],
    env: { SANDBOX_PORT: String(SANDBOX_PORT) },
    ready: 'sandbox network listening at',
    logFile: path.join(workDir, 'sandbox.log'),
    timeoutMs: READY_TIMEOUT_MS,
    detached: true,
  });
  started.push({ name: 'the sandbox', stop: async () => void (await stopChild(child)) });
  return `http://127.0.0.1:${SANDBOX_PORT}`;
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}

/** Writes the sandbox's site definitions to a file for every node's `SITES_FILE`. */
async function writeSitesFile(sandboxUrl: string): Promise<string> {
  const file = path.join(workDir, 'sites.json');
  await writeFile(file, JSON.stringify(await getJson(`${sandboxUrl}/__sandbox/sites`)));
  return file;
}

/** Every place adapter's variables, pointing it at the sandbox's emulation of its API. */
async function sandboxApiEnv(sandboxUrl: string): Promise<Record<string, string>> {
  const apis = (await getJson(`${sandboxUrl}/__sandbox/apis`)) as Record<string, { baseUrl: string; limits: unknown }>;
  const env: Record<string, string> = {};
  for (const { profile } of ADAPTERS) {
    const api = apis[profile.kind];
    if (!api) throw new Error(`the sandbox at ${sandboxUrl} has no emulation of ${profile.kind}`);
    const prefix = envPrefix(profile.kind);
    env[`${prefix}_BASE_URL`] = api.baseUrl;
    env[`${prefix}_LIMITS`] = JSON.stringify(api.limits);
    if (profile.keyVariable) env[profile.keyVariable] = SANDBOX_API_KEY;
  }
  return env;
}

// --- the nodes ----------------------------------------------------------------------------------

/** One node of the cluster. */
interface ClusterNodeProcess extends ReadyChild {
  readonly url: string;
}

/** Starts node `index` (1-based) as `npm start` runs the server, and waits until it is ready. */
async function startNode(index: number, env: Record<string, string>): Promise<ClusterNodeProcess> {
  const nodeId = `node-${index}`;
  const port = FIRST_PORT + index - 1;
  const child = await startReadyChild({
    name: nodeId,
    args: SERVER_NODE_ARGS,
    env: { ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', PORT: String(port), NODE_ID: nodeId },
    ready: 'sitescan is ready',
    logFile: path.join(workDir, `${nodeId}.log`),
    timeoutMs: READY_TIMEOUT_MS,
    detached: true,
  });
  return { ...child, url: `http://127.0.0.1:${port}` };
}

/** Resolves once `GET /api/health` answers 200 with status ok; a script may poll, a test may not. */
async function waitForHealth(node: ClusterNodeProcess): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${node.url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      const body = (await response.json()) as { status?: string };
      if (response.status === 200 && body.status === 'ok') return;
      last = `${response.status} ${JSON.stringify(body.status)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${node.name} at ${node.url} was not healthy within ${HEALTH_TIMEOUT_MS} ms (last: ${last})`);
}

/**
 * Starts the nodes: the first alone, so that it creates the indices and the cluster's keys
 * unraced, then the others together. All are stopped together (see the header).
 */
async function startNodes(env: Record<string, string>): Promise<ClusterNodeProcess[]> {
  const nodes: ClusterNodeProcess[] = [];
  started.push({
    name: 'the nodes',
    stop: async () => void (await Promise.all(nodes.map((node) => stopChild(node, 'SIGTERM', NODE_STOP_GRACE_MS)))),
  });
  const start = async (index: number) => {
    const node = await startNode(index, env);
    nodes.push(node);
    await waitForHealth(node);
    void node.exited.then((code) => {
      const how = node.process.signalCode ? `was killed (${node.process.signalCode})` : `exited with ${code}`;
      if (!stopping) console.log(`cluster: ${node.name} ${how}; the others keep running (log: ${path.join(workDir, `${node.name}.log`)})`);
    });
  };
  await start(1);
  await Promise.all(Array.from({ length: NODES - 1 }, (_, i) => start(i + 2)));
  return nodes.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

// --- main ---------------------------------------------------------------------------------------

function printSummary(nodes: readonly ClusterNodeProcess[], sandboxUrl: string): void {
  console.log(`\ncluster: ${nodes.length} node${nodes.length === 1 ? '' : 's'} ready`);
  for (const node of nodes) console.log(`  ${node.name}  ${node.url}   (health: ${node.url}/api/health, pid ${node.process.pid})`);
  console.log(`  sandbox ${sandboxUrl}   (stats: ${sandboxUrl}/__sandbox/stats)`);
  console.log(`  logs    ${workDir}`);
  console.log(`Ctrl-C (or kill -TERM ${process.pid}) stops the nodes, the sandbox, and the Redis/Elasticsearch this started.`);
}

async function main(): Promise<void> {
  // Before anything starts: a failed build exits this process on the spot.
  if (!flags['no-build']) (buildIfNeeded as () => boolean)();
  workDir = await mkdtemp(path.join(tmpdir(), 'sitescan-cluster-'));
  const redisUrl = await ensureService({
    name: 'Redis',
    givenUrl: process.env.REDIS_URL,
    localUrl: `redis://127.0.0.1:${REDIS_PORT}`,
    dir: 'redis',
    env: { REDIS_PORT: String(REDIS_PORT) },
    answers: redisAnswers,
  });
  const elasticsearchUrl = await ensureService({
    name: 'Elasticsearch',
    givenUrl: process.env.ELASTICSEARCH_URL,
    localUrl: `http://127.0.0.1:${ES_PORT}`,
    dir: 'elasticsearch',
    env: { ES_PORT: String(ES_PORT) },
    answers: httpAnswers,
  });
  const sandboxUrl = await startSandbox();
  const env = {
    SANDBOX: '0',
    SITES_FILE: await writeSitesFile(sandboxUrl),
    REDIS_URL: redisUrl,
    ELASTICSEARCH_URL: elasticsearchUrl,
    ...(await sandboxApiEnv(sandboxUrl)),
  };
  const nodes = await startNodes(env);
  printSummary(nodes, sandboxUrl);
}

// SIGHUP too: the children run in sessions of their own, so a closed terminal reaches only this.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    console.log(`\ncluster: ${signal}, stopping the nodes, then the sandbox, then what this started`);
    void stopEverything().then(async () => {
      if (workDir && !flags['keep-logs']) await rm(workDir, { recursive: true, force: true });
      console.log('cluster: stopped');
      process.exit(0);
    });
  });
}

main().catch(async (error: unknown) => {
  console.error(`cluster: ${(error as Error).message}`);
  await stopEverything();
  if (workDir && (await readdir(workDir)).length > 0) console.error(`cluster: logs kept in ${workDir}`);
  else if (workDir) await rm(workDir, { recursive: true, force: true });
  process.exit(1);
});
