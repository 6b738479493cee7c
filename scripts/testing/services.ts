/**
 * The three services of a full test run, each found where a developer usually has it or provided
 * by the project's own means: Debian's `chromium` (apt-get, as root), a real Elasticsearch node
 * (`scripts/elasticsearch/start-background.sh`, which fetches it from Maven Central once) and
 * Debian's `redis-server` (`scripts/redis/start-background.sh`). What this run starts keeps its
 * data in a temp dir and is stopped again; what it found keeps running untouched.
 *
 * A variable the developer set is a promise: `ELASTICSEARCH_URL` or `REDIS_URL` that does not
 * answer, or a `CHROMIUM_PATH` that does not exist, fails the run rather than be replaced.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { ROOT } from '../support/child-process';
import type { Available, Provided, TestService } from './provision';
import type { Env } from './service-names';

const execFileAsync = promisify(execFile);

/** Debian's Chromium, the browser of the journeys (Playwright cannot download its own here). */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** Lines of a failed script's output quoted in the error. */
const TAIL_LINES = 15;

/** Runs a command with its output in a log file; throws with the log's tail when it fails. */
async function runLogged(what: string, command: string, args: readonly string[], env: Env): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sitescan-test-run-'));
  const logFile = path.join(dir, 'output.log');
  const fd = openSync(logFile, 'w');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, [...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0) {
      const tail = (await readFile(logFile, 'utf8')).trimEnd().split('\n').slice(-TAIL_LINES).join('\n  ');
      throw new Error(`${what} failed (exit ${code}; full output in ${logFile}):\n  ${tail}`);
    }
  } finally {
    closeSync(fd);
  }
  await rm(dir, { recursive: true, force: true });
}

/** True when `command` is on the PATH. */
async function onPath(command: string): Promise<boolean> {
  try {
    await execFileAsync('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** What the machine is, for the Chromium service: where Debian puts it, and whether we may install. */
export interface ChromiumMachine {
  readonly defaultPath: string;
  readonly root: boolean;
}

/** Debian's `chromium`, installed with apt-get when missing and the run is root. */
export function chromiumService(env: Env, machine: ChromiumMachine = { defaultPath: DEFAULT_CHROMIUM, root: isRoot() }): TestService {
  const chosen = env.CHROMIUM_PATH;
  const executable = chosen ?? machine.defaultPath;
  const describe = async (): Promise<Available> => {
    const { stdout } = await execFileAsync(executable, ['--version'], { timeout: 30_000 });
    return { detail: `${stdout.trim()} at ${executable}`, value: executable };
  };
  return {
    name: 'chromium',
    async find() {
      if (existsSync(executable)) return describe();
      if (chosen) throw new Error(`CHROMIUM_PATH=${chosen} does not exist; unset it to use Debian's chromium`);
      return undefined;
    },
    async provide() {
      if (!machine.root) {
        throw new Error(`Debian's chromium is not installed and installing it needs root: run \`sudo apt-get install -y chromium\`, or set CHROMIUM_PATH to a Chromium`);
      }
      const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
      try {
        await runLogged('apt-get install -y chromium', 'apt-get', ['install', '-y', '-qq', 'chromium'], aptEnv);
      } catch {
        // A fresh machine's package lists may be missing or stale.
        await runLogged('apt-get update', 'apt-get', ['update', '-qq'], aptEnv);
        await runLogged('apt-get install -y chromium', 'apt-get', ['install', '-y', '-qq', 'chromium'], aptEnv);
      }
      return { ...(await describe()), how: 'installed' };
    },
  };
}

/** The version in an Elasticsearch root document, or undefined when `url` does not answer. */
async function elasticsearchVersion(url: string): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(new URL('/', url), { signal: AbortSignal.timeout(3_000) });
  } catch {
    return undefined;
  }
  const body = (await response.json().catch(() => undefined)) as { version?: { number?: unknown } } | undefined;
  const version = body?.version?.number;
  if (!response.ok || typeof version !== 'string') throw new Error(`${url} answers ${response.status} but is not an Elasticsearch node`);
  // @elastic/elasticsearch 9 speaks to a 9.x server only.
  if (!version.startsWith('9.')) throw new Error(`${url} is Elasticsearch ${version}; sitescan's client needs a 9.x node`);
  return version;
}

/** A server the suites reach by URL, started by the project's own scripts when absent. */
interface ServerSpec {
  readonly name: 'elasticsearch' | 'redis';
  readonly label: string;
  /** The variable a developer may set, and the URL used when it is not set. */
  readonly variable: string;
  readonly localUrl: string;
  /** Its version, undefined when nothing answers; throws when what answers cannot be used. */
  readonly version: (url: string) => Promise<string | undefined>;
  /** `scripts/<dir>/start-background.sh` and `stop.sh`, with `<dataDirVariable>` a temp dir. */
  readonly scripts: string;
  readonly dataDirVariable: string;
  /** True when starting it also installs it (the start script does, as root). */
  readonly installs: () => Promise<boolean>;
}

function serverService(spec: ServerSpec, env: Env): TestService {
  const chosen = env[spec.variable];
  const url = chosen ?? spec.localUrl;
  const script = (name: string) => path.join(ROOT, spec.scripts, name);
  const run = (name: string, scriptEnv: Env) => runLogged(`${spec.scripts}/${name}`, 'bash', [script(name)], scriptEnv);
  return {
    name: spec.name,
    async find() {
      const version = await spec.version(url);
      if (version) return { detail: `${spec.label} ${version} at ${url}`, value: url };
      if (chosen) throw new Error(`${spec.variable}=${chosen} does not answer; start it, or unset it and \`npm test\` starts one`);
      return undefined;
    },
    async provide() {
      const installs = await spec.installs();
      const dataDir = await mkdtemp(path.join(tmpdir(), `sitescan-test-${spec.name}-`));
      const scriptEnv = { ...env, [spec.dataDirVariable]: dataDir };
      await run('start-background.sh', scriptEnv);
      const version = await spec.version(url);
      return {
        detail: `${spec.label} ${version ?? '?'} at ${url}`,
        value: url,
        how: installs ? 'installed and started' : 'started',
        stop: async () => {
          await run('stop.sh', scriptEnv);
          await rm(dataDir, { recursive: true, force: true });
        },
      } satisfies Provided;
    },
  };
}

/** A real Elasticsearch node: `ELASTICSEARCH_URL`, else the local port, else one started here. */
export function elasticsearchService(env: Env): TestService {
  return serverService(
    {
      name: 'elasticsearch',
      label: 'Elasticsearch',
      variable: 'ELASTICSEARCH_URL',
      localUrl: `http://127.0.0.1:${env.ES_PORT ?? '9200'}`,
      version: elasticsearchVersion,
      // The script fetches the distribution from Maven Central on its first run, and keeps it.
      scripts: 'scripts/elasticsearch',
      dataDirVariable: 'ES_DATA_DIR',
      installs: () => Promise.resolve(false),
    },
    env,
  );
}

/** The version of the Redis at `url`, or undefined when it does not answer. */
async function redisVersion(url: string): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const info = await client.info('server');
    return /^redis_version:(\S+)/m.exec(info)?.[1] ?? '?';
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** Debian's redis-server: `REDIS_URL`, else the local port, else one started (and installed) here. */
export function redisService(env: Env): TestService {
  return serverService(
    {
      name: 'redis',
      label: 'Redis',
      variable: 'REDIS_URL',
      localUrl: `redis://127.0.0.1:${env.REDIS_PORT ?? '6379'}`,
      version: redisVersion,
      scripts: 'scripts/redis',
      dataDirVariable: 'REDIS_DATA_DIR',
      // The script installs Debian's redis-server first when it is missing and the run is root.
      installs: async () => !(await onPath('redis-server')),
    },
    env,
  );
}
