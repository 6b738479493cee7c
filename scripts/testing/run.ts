/**
 * `npm test` (after `npm run lint`, which package.json runs first): everything else the project
 * checks, against real services, in one command on a fresh machine. The services are provided
 * while the checks that need none of them run:
 *
 *   t=0 ┬ Elasticsearch: find or start ─────────────┐
 *       ├ Redis: find or start ──▶ Chromium: find or install (one apt-get at a time)
 *       └ type check ─▶ build ─▶ ⏸ES,Redis unit ─▶ processes ─▶ ⏸Chromium browser journeys
 *   end: stop what this run started, then print each service, each step with its time, warnings.
 *
 * Worked example, a machine with Chromium and nothing else: Chromium found (0.1 s); Elasticsearch
 * started (≈40 s, hidden behind the type check and build); Redis started (0.3 s); the five steps
 * run; both are stopped; exit 0.
 *
 * MUST:
 * - A step starts only once every service it needs is there or explicitly opted out; a service
 *   that could not be provided ends the run before that step, with its reason.
 * - The first failing step ends the run, as `&&` would; the exit code is then non-zero.
 * - What this run started is stopped on every way out, a Ctrl-C included.
 * - An opt-out (`SKIP_…=1`) is repeated as a warning in the last lines of the run.
 */
import { spawn } from 'node:child_process';
import { ROOT } from '../support/child-process';
import { describeOutcome, provision, suiteEnvironment, type Outcome, type TestService } from './provision';
import { SERVICE_VARIABLES, type ServiceName } from './service-names';
import { chromiumService, elasticsearchService, redisService } from './services';

/** One check of the run: an npm script, and the services it cannot run without. */
interface Step {
  readonly name: string;
  readonly script: string;
  readonly needs: readonly ServiceName[];
}

const STEPS: readonly Step[] = [
  { name: 'type check', script: 'typecheck', needs: [] },
  { name: 'build', script: 'build:if-needed', needs: [] },
  { name: 'unit and integration (Vitest)', script: 'test:unit', needs: ['elasticsearch', 'redis'] },
  { name: 'node processes (Vitest)', script: 'test:processes', needs: ['elasticsearch', 'redis'] },
  { name: 'browser journeys (Playwright)', script: 'test:e2e', needs: ['chromium'] },
];

interface StepResult {
  readonly step: Step;
  readonly ms: number;
  readonly status: 'passed' | 'failed' | 'skipped';
}

let current: ReturnType<typeof spawn> | undefined;
let interrupted = false;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function say(line: string): void {
  console.log(`[npm test] ${line}`);
}

/** Runs `npm run <script>` with the suites' variables; resolves with its exit code. */
function runScript(script: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { cwd: ROOT, env, stdio: 'inherit' });
    current = child;
    child.once('error', () => resolve(127));
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** Provides the services: Elasticsearch alone, Redis then Chromium (both may call apt-get). */
function provideAll(env: NodeJS.ProcessEnv): Record<ServiceName, Promise<Outcome>> {
  const announce = (outcome: Outcome) => {
    say(describeOutcome(outcome));
    return outcome;
  };
  const start = (service: TestService) => provision(service, env).then(announce);
  const redis = start(redisService(env));
  return {
    elasticsearch: start(elasticsearchService(env)),
    redis,
    chromium: redis.then(() => start(chromiumService(env))),
  };
}

/** The reason a step cannot run, if a service it needs failed. */
function blockedBy(step: Step, outcomes: ReadonlyMap<ServiceName, Outcome>): string | undefined {
  const failed = step.needs.flatMap((name) => {
    const outcome = outcomes.get(name);
    return outcome?.kind === 'failed' ? [outcome] : [];
  });
  if (failed.length === 0) return undefined;
  return failed.map(describeOutcome).join('\n');
}

async function runSteps(provided: Record<ServiceName, Promise<Outcome>>, results: StepResult[]): Promise<boolean> {
  const outcomes = new Map<ServiceName, Outcome>();
  for (const step of STEPS) {
    if (interrupted) return false;
    for (const name of step.needs) outcomes.set(name, await provided[name]);
    const blocked = blockedBy(step, outcomes);
    if (blocked) {
      say(`cannot run "${step.name}":\n${blocked}`);
      return false;
    }
    if (step.needs.length > 0 && step.needs.every((name) => outcomes.get(name)?.kind === 'skipped')) {
      results.push({ step, ms: 0, status: 'skipped' });
      const reasons = step.needs.flatMap((name) => {
        const outcome = outcomes.get(name);
        return outcome?.kind === 'skipped' ? [outcome.reason] : [];
      });
      say(`${step.name}: skipped (${reasons.join(', ')})`);
      continue;
    }
    say(`${step.name}: npm run ${step.script}`);
    const t0 = performance.now();
    const env = { ...process.env, ...suiteEnvironment([...outcomes.values()]) };
    const code = await runScript(step.script, env);
    results.push({ step, ms: performance.now() - t0, status: code === 0 ? 'passed' : 'failed' });
    if (code !== 0) return false;
  }
  return true;
}

async function stopStarted(outcomes: readonly Outcome[]): Promise<void> {
  for (const outcome of outcomes) {
    if (outcome.kind !== 'provided' || !outcome.available.stop) continue;
    try {
      await outcome.available.stop();
      say(`${SERVICE_VARIABLES[outcome.name].label}: stopped`);
    } catch (error) {
      say(`${SERVICE_VARIABLES[outcome.name].label}: could not be stopped: ${(error as Error).message}`);
    }
  }
}

function report(outcomes: readonly Outcome[], results: readonly StepResult[], passed: boolean, totalMs: number): void {
  console.log('\n── services');
  for (const outcome of outcomes) console.log(describeOutcome(outcome));
  console.log('── steps');
  for (const { step, ms, status } of results) console.log(`${step.name.padEnd(32)} ${status.padEnd(8)} ${seconds(ms)}`);
  const minutes = Math.floor(totalMs / 60_000);
  console.log(`── npm test ${passed ? 'passed' : 'FAILED'} in ${minutes} min ${Math.round((totalMs % 60_000) / 1000)} s`);
  for (const outcome of outcomes) {
    if (outcome.kind === 'skipped') {
      console.log(`WARNING: ${SERVICE_VARIABLES[outcome.name].label} was not provided (${outcome.reason}): the suites that need it did not run.`);
    }
  }
}

async function main(): Promise<number> {
  const t0 = performance.now();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupted = true;
      current?.kill(signal);
    });
  }
  const provided = provideAll(process.env);
  const results: StepResult[] = [];
  let passed = false;
  try {
    passed = await runSteps(provided, results);
  } finally {
    // Every provision settles (none throws), so this also waits out a start still under way.
    const outcomes = await Promise.all(Object.values(provided));
    await stopStarted(outcomes);
    report(outcomes, results, passed && !interrupted, performance.now() - t0);
  }
  if (interrupted) return 130;
  return passed ? 0 : 1;
}

process.exitCode = await main();
