/**
 * `npm run load:socket-flood` — does one client flooding `search:subscribe` slow everyone else?
 *
 *   flooders (S sockets) ──M × search:subscribe {searchId, afterSeq: 0}, all at once──▶ sitescan
 *   prober ──GET /api/health every P ms (one at a time)─────────────────────────────────▶ sitescan
 *
 * Each subscribe is ~50 bytes and its ack carries the search's whole log (~18 KB): a flood costs
 * the server a store read and an encoding per message. The prober measures `/api/health` first
 * while idle, then from the first flooded message until every flooder has had all its acks or
 * has been disconnected. Printed: health p50/p99/max idle and under the flood, acks each flooder
 * got, whether (and when, and why) the server cut it, and the server's RSS before and after.
 *
 * Example: `npm run load:socket-flood -- --spawn --subscribes 3000` on a 2-core machine.
 *
 * Options:
 *   --spawn              start a server of its own (scripts/socket-flood/server.ts: no pages, sandbox
 *                        in-process, one finished search); otherwise --url and --search are needed
 *   --url URL            running sitescan
 *   --search ID          an existing search on it
 *   --pid PID            its process id, for RSS (automatic with --spawn)
 *   --sockets N          flooding sockets (1)
 *   --subscribes M       subscribes each flooder sends (3000)
 *   --probe-ms P         pause between health probes (50)
 *   --idle-s S           seconds of idle probes before the flood (2)
 *   --max-s S            longest the flood phase may last (60)
 *   --server-env K=V     with --spawn: extra server env (repeatable)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../lib/socket-events';
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
    'max-s': { type: 'string' },
    'server-env': { type: 'string', multiple: true },
  },
});

const options = {
  spawn: flags.spawn,
  sockets: numberOption('--sockets', flags.sockets, 1, 1, 1_000),
  subscribes: numberOption('--subscribes', flags.subscribes, 3_000, 1, 1_000_000),
  probeMs: numberOption('--probe-ms', flags['probe-ms'], 50, 0, 10_000),
  idleS: numberOption('--idle-s', flags['idle-s'], 2, 0, 600),
  maxS: numberOption('--max-s', flags['max-s'], 60, 1, 3_600),
  serverEnv: Object.fromEntries(
    (flags['server-env'] ?? []).map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new TypeError(`Expected \`--server-env\` as KEY=VALUE, got ${JSON.stringify(pair)}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  ),
};

type FloodSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What one flooder saw. */
interface FlooderResult {
  readonly acks: number;
  readonly refused: number;
  /** Why the server ended the connection, and after how many ms of flooding; undefined if it did not. */
  readonly cut?: { readonly reason: string; readonly afterMs: number };
  readonly firstAckBytes?: number;
}

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

async function connectFlooder(url: string): Promise<FloodSocket> {
  const socket: FloodSocket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Sends every subscribe at once; resolves when all are acked or the server cuts the socket. */
function flood(socket: FloodSocket, searchId: string): Promise<FlooderResult> {
  const started = performance.now();
  let acks = 0;
  let refused = 0;
  let firstAckBytes: number | undefined;
  return new Promise((resolve) => {
    const deadline = setTimeout(() => finish({ reason: `still open after ${options.maxS} s`, afterMs: options.maxS * 1000 }), options.maxS * 1000);
    const finish = (cut?: FlooderResult['cut']) => {
      clearTimeout(deadline);
      socket.off('disconnect', onDisconnect);
      resolve({ acks, refused, cut, firstAckBytes });
    };
    const onDisconnect = (reason: string) => finish({ reason, afterMs: Math.round(performance.now() - started) });
    socket.on('disconnect', onDisconnect);
    for (let i = 0; i < options.subscribes; i++) {
      socket.emit('search:subscribe', { searchId, afterSeq: 0 }, (ack: SubscribeAck) => {
        acks++;
        if (!ack.ok) refused++;
        firstAckBytes ??= JSON.stringify(ack).length;
        if (acks === options.subscribes) finish();
      });
    }
  });
}

function describe(latencies: readonly number[]): string {
  if (latencies.length === 0) return 'no probes';
  return `p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms, max ${round(Math.max(...latencies))} ms (${latencies.length} probes)`;
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'sitescan-socket-flood-'));
  const server = await target(workDir);
  try {
    console.log(`socket-flood: ${server.url} · search ${server.searchId} · ${options.sockets} socket(s) × ${options.subscribes} subscribes`);
    const idleProbe = probeHealth(server.url);
    await new Promise((resolve) => setTimeout(resolve, options.idleS * 1000));
    const idle = await idleProbe.stop();
    const rssBefore = server.pid ? await rssMb(server.pid) : undefined;

    const sockets = await Promise.all(Array.from({ length: options.sockets }, () => connectFlooder(server.url)));
    const floodProbe = probeHealth(server.url);
    const results = await Promise.all(sockets.map((socket) => flood(socket, server.searchId)));
    const underFlood = await floodProbe.stop();
    const rssAfter = server.pid ? await rssMb(server.pid) : undefined;
    for (const socket of sockets) socket.close();

    console.log(`  health idle:        ${describe(idle)}`);
    console.log(`  health under flood: ${describe(underFlood)}`);
    results.forEach((result, i) => {
      const cut = result.cut ? `cut after ${result.cut.afterMs} ms (${result.cut.reason})` : 'NOT cut';
      console.log(`  flooder ${i + 1}: ${result.acks}/${options.subscribes} acked (${result.refused} refused), first ack ${result.firstAckBytes ?? 0} bytes, ${cut}`);
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
