/**
 * Real processes for the journeys and scripts: a free loopback port, and `node <args>` started
 * and awaited until it prints that it is ready. Shared by the browser journeys (e2e/), the load
 * script and the crash check, which all run sitescan (and the sandbox) as separate processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The project root, where `node --import tsx server/index.ts` runs. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * V8 flags of every sitescan server process (`npm start` passes the same; a test keeps the two
 * in step). A 64 MB young generation: the objects of a request in flight live 20–200 ms, and
 * with Node's 16 MB default they survived two scavenges, were promoted and made each scavenge
 * ~5 ms — measured by `npm run bench:pipeline`, overhead at 100 concurrent searches p95 26 ms
 * with the default, 13 ms with this.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/** `node` arguments that run the sitescan server from source, as the journeys and scripts do. */
export const SERVER_NODE_ARGS: readonly string[] = [...SERVER_NODE_FLAGS, '--import', 'tsx', 'server/index.ts'];

/** A started child process. */
export interface ReadyChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
}

/** Options of `startReadyChild`. */
export interface StartReadyChildOptions {
  /** Named in errors. */
  readonly name: string;
  /** Arguments of `node`. */
  readonly args: readonly string[];
  /** Added to this process's environment. */
  readonly env: Record<string, string>;
  /** Text on stdout that says the child is ready. */
  readonly ready: string;
  /** Where its stdout and stderr go; without it they are kept (the last 4 KB) for errors only. */
  readonly logFile?: string;
  /** Default 90 s. */
  readonly timeoutMs?: number;
  /**
   * Run in a process group of its own. Default false. A Ctrl-C at a terminal signals the whole
   * foreground group at once; a parent that must stop its children in order (nodes before the
   * sandbox they call) sets this and stops them itself.
   */
  readonly detached?: boolean;
}

const running = new Set<ReadyChild>();

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `node <args>` and resolves once `ready` appears on its stdout. */
export async function startReadyChild(options: StartReadyChildOptions): Promise<ReadyChild> {
  const { name, ready, logFile, timeoutMs = 90_000, detached = false } = options;
  const child = spawn(process.execPath, [...options.args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  if (logFile) {
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const entry: ReadyChild = { name, process: child, exited };
  running.add(entry);
  void exited.then(() => running.delete(entry));
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_096);
  };
  child.stderr.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const where = logFile ? `; log: ${logFile}` : '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms${where}\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      keep(chunk);
      if (output.includes(ready)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        // Keep draining stdout so a chatty child never blocks on a full pipe.
        child.stdout.resume();
        resolve();
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready${where}\n${output}`));
    });
  });
  return entry;
}

/** Sends `signal` (SIGTERM by default), escalates to SIGKILL after `graceMs`, and waits for the exit. */
export async function stopChild(child: ReadyChild, signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<number | null> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  const code = await child.exited;
  clearTimeout(timer);
  return code;
}

/** Kills every child still running (a script that fails must not leave servers behind). */
export function killAllChildren(): void {
  for (const child of running) child.process.kill('SIGKILL');
}
