/**
 * Providing one service the tests need: use the one that is there, else install or start it,
 * else fail saying why — unless the developer explicitly opted out.
 *
 *   SKIP_BROWSER=1 ? ──yes──▶ skipped   (refused in CI: CI runs everything)
 *      │ no
 *   find() ──there──▶ found      (reused; left running afterwards)
 *      │ absent
 *   provide() ──ok──▶ provided   (installed or started; `stop` undoes a start after the run)
 *      │ throws
 *      ▼
 *    failed   (the reason names the service and what to do)
 *
 * Worked example, a machine with Redis but no Elasticsearch, not root:
 *   Redis:         find() → 'Redis 7.0.15 at redis://127.0.0.1:6379'   → found in 0.0 s
 *   Elasticsearch: find() → undefined; provide() starts a node          → provided in 38.2 s
 *   Chromium:      find() → undefined; provide() throws 'run: sudo apt-get install -y chromium'
 *                                                                       → failed: the browser
 *                  journeys cannot run, and `npm test` fails before them with that reason.
 *
 * MUST:
 * - A found service is never stopped: only what this run started is stopped after it.
 * - Every outcome but `skipped` carries the variables the suites read (`ELASTICSEARCH_URL`, …)
 *   when it succeeded, and a reason when it did not; no outcome is silent.
 * - An opt-out under CI is a failure, never a skip.
 */
import { SERVICE_VARIABLES, optedOut, type Env, type ServiceName } from './service-names';

/** A service as it was found or provided. */
export interface Available {
  /** What it is and where: 'Elasticsearch 9.5.3 at http://127.0.0.1:9200'. */
  readonly detail: string;
  /** The value of the service's variable (a URL, or the browser's path). */
  readonly value: string;
}

/** A service as this run provided it. */
export interface Provided extends Available {
  /** 'installed' (stays), 'started' (stopped again after the run), or both. */
  readonly how: 'installed' | 'started' | 'installed and started';
  /** Undoes a start; absent for what stays. */
  readonly stop?: () => Promise<void>;
}

/** One service the test run can look for and provide. */
export interface TestService {
  readonly name: ServiceName;
  /** The service if it is already there; throws when what is there cannot be used. */
  find(): Promise<Available | undefined>;
  /** Installs or starts it; throws an Error whose message says why not and what to do. */
  provide(): Promise<Provided>;
}

/** What became of one service, and how long it took. */
export type Outcome =
  | { readonly kind: 'found'; readonly name: ServiceName; readonly ms: number; readonly available: Available }
  | { readonly kind: 'provided'; readonly name: ServiceName; readonly ms: number; readonly available: Provided }
  | { readonly kind: 'skipped'; readonly name: ServiceName; readonly ms: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly name: ServiceName; readonly ms: number; readonly reason: string };

/** Finds or provides a service; never throws. */
export async function provision(
  service: TestService,
  env: Env,
  now: () => number = () => performance.now(),
): Promise<Outcome> {
  const { name } = service;
  const { optOut } = SERVICE_VARIABLES[name];
  const t0 = now();
  const ms = () => now() - t0;
  if (optOut && optedOut(name, env)) {
    if (env.CI) return { kind: 'failed', name, ms: ms(), reason: `${optOut}=1 is not allowed in CI, which runs every suite` };
    return { kind: 'skipped', name, ms: ms(), reason: `${optOut}=1` };
  }
  try {
    const there = await service.find();
    if (there) return { kind: 'found', name, ms: ms(), available: there };
    const provided = await service.provide();
    return { kind: 'provided', name, ms: ms(), available: provided };
  } catch (error) {
    return { kind: 'failed', name, ms: ms(), reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The variables the suites read, from the outcomes that succeeded. */
export function suiteEnvironment(outcomes: readonly Outcome[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const outcome of outcomes) {
    if (outcome.kind === 'found' || outcome.kind === 'provided') env[SERVICE_VARIABLES[outcome.name].variable] = outcome.available.value;
  }
  return env;
}

/** One line for people: 'Elasticsearch: started 9.5.3 at http://127.0.0.1:9200 (38.2 s)'. */
export function describeOutcome(outcome: Outcome): string {
  const { label } = SERVICE_VARIABLES[outcome.name];
  const took = `(${(outcome.ms / 1000).toFixed(1)} s)`;
  switch (outcome.kind) {
    case 'found':
      return `${label}: found ${outcome.available.detail} ${took}`;
    case 'provided':
      return `${label}: ${outcome.available.how} ${outcome.available.detail} ${took}${outcome.available.stop ? ', stopped after the run' : ''}`;
    case 'skipped':
      return `${label}: NOT PROVIDED, ${outcome.reason}: the step that needs it does not run`;
    case 'failed':
      return `${label}: FAILED ${took}: ${outcome.reason}`;
  }
}
