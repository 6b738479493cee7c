/**
 * `npm run load:socket-flood` — does one client flooding `search:subscribe` slow everyone else?
 *
 *   flooder process: S sockets ──rounds of M × search:subscribe {searchId, afterSeq: 0} at once──▶ sitescan
 *     (a round starts when the last one is acked; a socket the server cuts connects again)
 *   this process ──GET /api/health every P ms, one at a time──────────────────────────────────▶ sitescan
 *
 * Each subscribe is ~50 bytes and its ack carries the search's whole log (~18 KB): unchecked, a
 * flood costs the server a store read and an encoding per message. `/api/health` is timed first
 * while idle, then for the whole flood. The flooder is a process of its own (socket-flood/
 * flooder.ts) so its own work never delays the probes. Printed: health p50/p99/max idle and
 * under the flood, what each flooder sent and had acked, how often (and how soon) the server cut
 * it, and the server's RSS before and after.
 *
 * Example: `npm run load:socket-flood -- --spawn` (1 socket, rounds of 3,000, 10 s).
 *
 * Options:
 *   --spawn              start a server of its own (scripts/socket-flood/server.ts: no pages, sandbox
 *                        in-process, one finished search); otherwise --url and --search are needed
 *   --url URL            running sitescan
 *   --search ID          an existing search on it
 *   --pid PID            its process id, for RSS (automatic with --spawn)
 *   --sockets N          flooding sockets (1)
 *   --subscribes M       subscribes per round (3000)
 *   --duration S         seconds of flooding (10)
 *   --probe-ms P         pause between health probes (20)
 *   --idle-s S           seconds of idle probes before the flood (2)
 *   --server-env K=V     with --spawn: extra server env (repeatable)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FlooderResult } from './socket-flood/flooder';
import { killAllChildren, startReadyChild, stopChild, type ReadyChild } from './support/child-process';
import { percentile, round } from './support/figures';
import { numberOption } from './support/number-option';
import { rssMb } from './support/proc-stats';

const { values: flags } = parseArgs({
  options: {
    spawn: { type: 'boolean', default: false },
    url: { type: 'string' },
    search: { type: 'string' },
    pid: { type: 'string' },
    sockets: { type: 'string' },
    subscribes: { type: 'string' },
    'probe-ms': { type: 'string' },
    'idle-s': { type: 'string' },
    duration: { type: 'string' },
    'server-env': { type: 'string', multiple: true },
  },
});

const options = {
  spawn: flags.spawn,
  sockets: numberOption('--sockets', flags.sockets, 1, 1, 1_000),
  subscribes: numberOption('--subscribes', flags.subscribes, 3_000, 1, 1_000_000),
  durationS: numberOption('--duration', flags.duration, 10, 1, 3_600),
  probeMs: numberOption('--probe-ms', flags['probe-ms'], 20, 0, 10_000),
  idleS: numberOption('--idle-s', flags['idle-s'], 2, 0, 600),
  serverEnv: Object.fromEntries(
    (flags['server-env'] ?? []).map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new TypeError(`Expected \`--server-env\` as KEY=VALUE, got ${JSON.stringify(pair)}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  ),
};

/** The server to flood: the one given, or one started here. */
async function target(workDir: string): Promise<{ url: string; searchId: string; pid?: number; child?: ReadyChild }> {
  if (!options.spawn) {
    if (!flags.url || !flags.search) throw new TypeError('Expected `--spawn`, or `--url` and `--search` of a running sitescan');
    return { url: flags.url, searchId: flags.search, pid: flags.pid ? Number(flags.pid) : undefined };
  }
  const infoFile = path.join(workDir, 'server.json');
  const child = await startReadyChild({
    name: 'socket-flood server',
    args: ['--max-semi-space-size=64', '--import', 'tsx', 'scripts/socket-flood/server.ts'],
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: path.join(workDir, 'data'),
      SANDBOX: '1',
      SANDBOX_PROFILE: 'calm',
      SANDBOX_SPEED: '0.05',
      LOG_LEVEL: 'warn',
      SOCKET_FLOOD_INFO: infoFile,
      ...options.serverEnv,
    },
    ready: 'socket-flood server ready',
    logFile: path.join(workDir, 'server.log'),
    timeoutMs: 90_000,
  });
  const info = JSON.parse(await readFile(infoFile, 'utf8')) as { url: string; searchId: string };
  return { ...info, pid: child.process.pid, child };
}

/** Health probes, one at a time, until `stop()`: their latencies in ms. */
function probeHealth(url: string): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(`${url}/api/health`);
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
      } catch (error) {
        console.error(`socket-flood: health probe failed: ${(error as Error).message}`);
        latencies.push(performance.now() - started);
      }
      if (options.probeMs > 0) await new Promise((resolve) => setTimeout(resolve, options.probeMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

/** Runs the flooder process until it is done: what each of its sockets saw. */
async function runFlooder(url: string, searchId: string, workDir: string, probe: () => void): Promise<FlooderResult[]> {
  const flooder = await startReadyChild({
    name: 'flooder',
    args: ['--import', 'tsx', 'scripts/socket-flood/flooder.ts'],
    env: {
      FLOOD_URL: url,
      FLOOD_SEARCH: searchId,
      FLOOD_SOCKETS: String(options.sockets),
      FLOOD_SUBSCRIBES: String(options.subscribes),
      FLOOD_DURATION_MS: String(options.durationS * 1000),
    },
    ready: 'flooding',
    logFile: path.join(workDir, 'flooder.log'),
  });
  probe();
  let output = '';
  flooder.process.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await flooder.exited;
  const line = /^result (.*)$/m.exec(output)?.[1];
  if (code !== 0 || !line) throw new Error(`the flooder exited with ${code}; log: ${path.join(workDir, 'flooder.log')}`);
  return JSON.parse(line) as FlooderResult[];
}

function describe(latencies: readonly number[]): string {
  if (latencies.length === 0) return 'no probes';
  return `p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms, max ${round(Math.max(...latencies))} ms (${latencies.length} probes)`;
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'sitescan-socket-flood-'));
  const server = await target(workDir);
  try {
    console.log(`socket-flood: ${server.url} · search ${server.searchId} · ${options.sockets} socket(s), rounds of ${options.subscribes} subscribes, for ${options.durationS} s`);
    const idleProbe = probeHealth(server.url);
    await new Promise((resolve) => setTimeout(resolve, options.idleS * 1000));
    const idle = await idleProbe.stop();
    const rssBefore = server.pid ? await rssMb(server.pid) : undefined;

    let floodProbe: ReturnType<typeof probeHealth> | undefined;
    const results = await runFlooder(server.url, server.searchId, workDir, () => {
      floodProbe = probeHealth(server.url);
    });
    const underFlood = (await floodProbe?.stop()) ?? [];
    const rssAfter = server.pid ? await rssMb(server.pid) : undefined;

    console.log(`  health idle:        ${describe(idle)}`);
    console.log(`  health under flood: ${describe(underFlood)}`);
    results.forEach((result, i) => {
      const cut = result.cuts > 0
        ? `cut ${result.cuts} times, first after ${result.firstCutAfterMs} ms (${result.disconnectReasons.join(', ')})`
        : 'NEVER cut';
      console.log(
        `  flooder ${i + 1}: ${result.rounds} rounds, ${result.acked}/${result.sent} subscribes acked (${result.refusedAcks} refused), ` +
          `first ack ${result.firstAckBytes ?? 0} bytes, ${cut}, ${result.refusedConnects} connects refused`,
      );
    });
    if (rssBefore !== undefined) console.log(`  server RSS: ${rssBefore} MB before the flood, ${rssAfter ?? '?'} MB after`);
  } finally {
    if (server.child) await stopChild(server.child);
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('socket-flood failed:', error);
  killAllChildren();
  process.exitCode = 1;
});
