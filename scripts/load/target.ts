/**
 * The sitescan under load: the one already running at `--url`, or, with `--spawn`, a standalone
 * sandbox (profile load: raised limits) and a sitescan that searches it, both started here.
 *
 *   sandbox (SANDBOX_PROFILE=load) ──/__sandbox/sites──▶ sites.json ──SITES_FILE──▶ sitescan (SANDBOX=0)
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
// @ts-expect-error -- a plain .mjs script without types
import { buildIfNeeded } from '../build-if-needed.mjs';
import { freePort, SERVER_NODE_ARGS, startReadyChild, stopChild, type ReadyChild } from '../support/child-process';
import type { LoadOptions } from './options';

const READY_TIMEOUT_MS = 90_000;

/** What the sandbox counted per site: whether a limit was exceeded, and the requests it refused. */
export interface SandboxStats {
  readonly sites: Record<string, { exceeded: boolean; rateLimited: number; requests: number }>;
}

/** The server under load and, when started here, the sandbox it searches. */
export interface LoadTarget {
  readonly url: string;
  /** For RSS and CPU samples; undefined when unknown (no `--pid` and no `--spawn`). */
  readonly serverPid?: number;
  readonly sandboxPid?: number;
  /** Where the spawned server writes its CPU profiles (`--cpu-prof`). */
  readonly profileDir: string;
  /** The sandbox's counts, when the sandbox was started here. */
  sandboxStats(): Promise<SandboxStats | undefined>;
  /** Stops what was started here: the server, then the sandbox. */
  stop(): Promise<void>;
}

/** Spawns `node <args>` logging to `logFile`, resolving once `ready` is on its stdout. */
const startChild = (name: string, args: readonly string[], env: Record<string, string>, logFile: string, ready: string) =>
  startReadyChild({ name, args, env, logFile, ready, timeoutMs: READY_TIMEOUT_MS });

/** The server at `--url` (and `--pid`), or with `--spawn` a sandbox and a server started in `workDir`. */
export async function startTarget(options: LoadOptions, workDir: string): Promise<LoadTarget> {
  const profileDir = path.join(workDir, 'cpu');
  if (!options.spawn) {
    return {
      url: options.url,
      serverPid: options.pid ? Number(options.pid) : undefined,
      profileDir,
      sandboxStats: async () => undefined,
      stop: async () => undefined,
    };
  }
  if (options.build) (buildIfNeeded as () => boolean)();
  const sandboxPort = await freePort();
  const sandbox = await startChild('sandbox',
    ['--import', 'tsx', 'server/sandbox/main.ts'],
    { SANDBOX_PORT: String(sandboxPort), SANDBOX_PROFILE: 'load', SANDBOX_SEED: String(options.seed), LOG_LEVEL: 'warn' },
    path.join(workDir, 'sandbox.log'),
    'sandbox network listening at',
  );
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const server = await startServer(options, workDir, sandboxUrl, profileDir);
  return {
    url: server.url,
    serverPid: server.child.process.pid,
    sandboxPid: sandbox.process.pid,
    profileDir,
    sandboxStats: async () => (await (await fetch(`${sandboxUrl}/__sandbox/stats`)).json()) as SandboxStats,
    async stop() {
      await stopChild(server.child);
      await stopChild(sandbox);
    },
  };
}

/** sitescan on the sandbox's sites only (SANDBOX=0, SITES_FILE), profiled with `--cpu-prof`. */
async function startServer(options: LoadOptions, workDir: string, sandboxUrl: string, profileDir: string): Promise<{ child: ReadyChild; url: string }> {
  const sitesFile = path.join(workDir, 'sites.json');
  const definitions: unknown = await (await fetch(`${sandboxUrl}/__sandbox/sites`)).json();
  await writeFile(sitesFile, JSON.stringify(definitions));
  const port = await freePort();
  const child = await startChild('sitescan',
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
      // Every watcher connects from this one address too.
      SOCKET_CONNECTIONS_PER_CLIENT: '1000000',
      ...options.serverEnv,
    },
    path.join(workDir, 'sitescan.log'),
    'sitescan is ready',
  );
  return { child, url: `http://127.0.0.1:${port}` };
}
