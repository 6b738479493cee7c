/**
 * `npm run bench:sites-push` — what `/sites` costs on the wire while its charts update: the
 * bytes the server pushes each second to one operator, by event, idle and while searches run.
 *
 * 1. Start the production build with the sandbox network, and open a real Socket.IO client as
 *    the page does: `sites:subscribe` (the table) and `charts:subscribe` (the charts).
 * 2. Count every Engine.IO message the server sends it, by Socket.IO event: `sites:stats`,
 *    `charts:sample`, and the two acks. Idle for BENCH_IDLE_S seconds (default 10), then busy for
 *    BENCH_BUSY_S (default 20) with a search started every BENCH_SEARCH_EVERY_MS (default 500).
 *
 * Bytes are the Engine.IO message payloads (what the WebSocket frames carry; the frame header,
 * 2–10 bytes each, is not counted; per-message compression is off, Socket.IO's default). The
 * charts' first answer grows with the server's age to five minutes of samples: it is printed as
 * seen 3 s after the start and after the run, and as projected for a full window (300 samples).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { ChartHistory } from '../lib/chart-samples';
import type { ClientToServerEvents, ServerToClientEvents } from '../lib/socket-events';
import type { SiteInfo } from '../lib/types';
import { startSitescanServer } from '../e2e/sitescan-server';
import { killAllChildren } from '../scripts/support/child-process';
import { numberOption } from '../scripts/support/number-option';
import { queriesFrom } from '../scripts/load/workload';
// @ts-expect-error -- a plain .mjs script without types
import { buildIfNeeded } from '../scripts/build-if-needed.mjs';

const IDLE_S = numberOption('BENCH_IDLE_S', process.env.BENCH_IDLE_S, 10, 1, 600);
const BUSY_S = numberOption('BENCH_BUSY_S', process.env.BENCH_BUSY_S, 20, 1, 600);
const SEARCH_EVERY_MS = numberOption('BENCH_SEARCH_EVERY_MS', process.env.BENCH_SEARCH_EVERY_MS, 500, 10, 60_000);

/** Bytes and messages of one kind. */
class Tally {
  bytes = 0;
  messages = 0;
  add(bytes: number) {
    this.bytes += bytes;
    this.messages++;
  }
}

/** The Socket.IO event a message carries: `2["name",…]` is an event, `3<id>[…]` an ack. */
function kindOf(data: string): string {
  if (data.startsWith('2')) return /^2\["([^"]+)"/.exec(data)?.[1] ?? 'event';
  if (data.startsWith('3')) return 'ack';
  return 'other';
}

type Phase = Map<string, Tally>;

function tallyOf(phase: Phase, kind: string): Tally {
  let tally = phase.get(kind);
  if (!tally) phase.set(kind, (tally = new Tally()));
  return tally;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one run saw, as printed. */
interface Seen {
  readonly sites: number;
  readonly started: number;
  readonly idle: { phase: Phase; seconds: number };
  readonly busy: { phase: Phase; seconds: number };
  readonly sitesAck: number;
  readonly chartsAck: number;
  readonly history: ChartHistory;
  readonly laterAck: number;
  readonly later: ChartHistory;
}

function report({ sites, started, idle, busy, sitesAck, chartsAck, history, laterAck, later }: Seen): void {
  const rows: Record<string, Record<string, string>> = {};
  for (const [name, { phase: tallies, seconds: elapsed }] of [
    [`idle (${IDLE_S} s)`, idle],
    [`busy (${BUSY_S} s, ${started} searches)`, busy],
  ] as const) {
    const stats = tallyOf(tallies, 'sites:stats');
    const charts = tallyOf(tallies, 'charts:sample');
    const total = [...tallies.values()].reduce((sum, tally) => sum + tally.bytes, 0);
    rows[name] = {
      'sites:stats B/s': (stats.bytes / elapsed).toFixed(0),
      'sites:stats B/msg': stats.messages ? (stats.bytes / stats.messages).toFixed(0) : '—',
      'charts:sample B/s': (charts.bytes / elapsed).toFixed(0),
      'charts:sample B/msg': charts.messages ? (charts.bytes / charts.messages).toFixed(0) : '—',
      'charts ÷ table': stats.bytes ? (charts.bytes / stats.bytes).toFixed(2) : '—',
      'all pushes B/s': (total / elapsed).toFixed(0),
    };
  }
  const busyCharts = tallyOf(busy.phase, 'charts:sample');
  const meanSample = busyCharts.messages ? busyCharts.bytes / busyCharts.messages : 0;
  console.log(`\n## Bytes pushed to one /sites client, ${sites} sites (production build, sandbox)`);
  console.table(rows);
  console.log(`sites:subscribe answer: ${sitesAck} B`);
  console.log(`charts:subscribe answer at the start: ${chartsAck} B with ${history.samples.length} samples kept`);
  const perSample = later.samples.length ? laterAck / later.samples.length : meanSample;
  console.log(
    `charts:subscribe answer at the end: ${laterAck} B with ${later.samples.length} samples kept (${perSample.toFixed(0)} B a sample); ` +
      `a full five minutes (300 samples) ≈ ${((300 * perSample) / 1024).toFixed(0)} KiB`,
  );
}

async function main() {
  (buildIfNeeded as () => boolean)();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sitescan-bench-sites-push-'));
  const server = await startSitescanServer({ dataDir, env: { CLIENT_SEARCHES_PER_MINUTE: '10000' } });
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(server.url, { transports: ['websocket'], forceNew: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    let phase: Phase = new Map();
    const acks: number[] = [];
    socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
      if (packet.type !== 'message' || typeof packet.data !== 'string') return;
      // The Engine.IO message type ('4') is one byte more on the wire.
      const bytes = Buffer.byteLength(packet.data) + 1;
      const kind = kindOf(packet.data);
      if (kind === 'ack') acks.push(bytes);
      else tallyOf(phase, kind).add(bytes);
    });

    const sites = await new Promise<readonly SiteInfo[]>((resolve) => socket.emit('sites:subscribe', resolve));
    const sitesAck = acks.at(-1) ?? 0;
    await sleep(3_000);
    const history = await new Promise<ChartHistory>((resolve) => socket.emit('charts:subscribe', resolve));
    const chartsAck = acks.at(-1) ?? 0;

    phase = new Map();
    const idleStart = performance.now();
    await sleep(IDLE_S * 1000);
    const idle = { phase, seconds: (performance.now() - idleStart) / 1000 };

    phase = new Map();
    const busyStart = performance.now();
    const next = queriesFrom(7);
    let started = 0;
    while (performance.now() - busyStart < BUSY_S * 1000) {
      const query = next();
      const answer = await fetch(`${server.url}/api/searches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: query.name, location: query.location }),
      });
      if (answer.status !== 201) throw new Error(`POST /api/searches answered ${answer.status}: ${await answer.text()}`);
      started++;
      await sleep(SEARCH_EVERY_MS);
    }
    const busy = { phase, seconds: (performance.now() - busyStart) / 1000 };
    // What a page opened now would be answered: every sample since the server started.
    const later = await new Promise<ChartHistory>((resolve) => socket.emit('charts:subscribe', resolve));
    const laterAck = acks.at(-1) ?? 0;

    report({ sites: sites.length, started, idle, busy, sitesAck, chartsAck, history, laterAck, later });
  } finally {
    socket.close();
    await server.stop();
    killAllChildren();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
