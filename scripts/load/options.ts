/**
 * The load run's options, from its flags and environment (the table in scripts/load.ts), read and
 * checked once when this module loads: a wrong value stops the run before anything starts.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../support/child-process';
import { numberOption } from '../support/number-option';

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

/** The options of this run, with their defaults; written as they are into the results JSON. */
export const options = {
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

/** The load run's options (see `options`). */
export type LoadOptions = typeof options;

if (options.cpuProf && !options.spawn) throw new TypeError('`--cpu-prof` needs `--spawn` (it profiles the server it starts)');
if (!options.spawn) {
  const { hostname } = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) {
    throw new TypeError(`Expected \`--url\` on 127.0.0.1 (a load test never leaves this machine), got ${options.url}`);
  }
}
