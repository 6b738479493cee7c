/**
 * Registers a suite that needs real services. With every service's variable set, the suite runs.
 * Otherwise it is one test that fails, naming what is missing and how to get it (`npm test`
 * provides every service) — unless each missing service was explicitly opted out
 * (`SKIP_ELASTICSEARCH=1`, `SKIP_REDIS=1`), in which case it is skipped with that reason and
 * `npm test` warns at the end of the run. Nothing is ever skipped without someone asking.
 *
 *   withServices('ElasticStore', ['elasticsearch'], ({ elasticsearch }) => {
 *     describeStoreConformance('ElasticStore', () => open(elasticsearch));
 *   });
 */
import { it } from 'vitest';
import { optedOut, SERVICE_VARIABLES, type ServiceName } from './service-names';

export function withServices<const Names extends readonly ServiceName[]>(
  suite: string,
  needs: Names,
  register: (urls: Record<Names[number], string>) => void,
): void {
  const urls: Partial<Record<ServiceName, string>> = {};
  const missing: ServiceName[] = [];
  for (const name of needs) {
    const value = process.env[SERVICE_VARIABLES[name].variable];
    if (value) urls[name] = value;
    else missing.push(name);
  }
  if (missing.length === 0) {
    register(urls as Record<Names[number], string>);
    return;
  }
  const labels = missing.map((name) => SERVICE_VARIABLES[name].label).join(' and ');
  // An opt-out is for a quick local loop; under CI the suite fails instead, naming the variable.
  if (!process.env.CI && missing.every((name) => optedOut(name))) {
    const flags = missing.map((name) => `${SERVICE_VARIABLES[name].optOut}=1`).join(', ');
    it.skip(`${suite}: needs ${labels}, skipped because ${flags}`, () => {});
    return;
  }
  const variables = missing.map((name) => SERVICE_VARIABLES[name].variable).join(' and ');
  const optOuts = missing.map((name) => `${SERVICE_VARIABLES[name].optOut}=1`).join(' ');
  it(`${suite} needs ${labels}`, () => {
    throw new Error(
      `${variables} not set: run \`npm test\`, which starts ${labels} for the run, set ${variables} yourself, or opt out with ${optOuts}`,
    );
  });
}
