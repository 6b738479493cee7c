/**
 * Registers a suite that needs real services. With every service's variable set, the suite runs.
 * Otherwise it is one test that fails, naming what is missing and how to get it (`npm test`
 * provides every service). Nothing is ever skipped.
 *
 *   withServices('ElasticStore', ['elasticsearch'], ({ elasticsearch }) => {
 *     describeStoreConformance('ElasticStore', () => open(elasticsearch));
 *   });
 */
import { it } from 'vitest';
import { SERVICE_VARIABLES, type ServiceName } from './service-names';

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
  const variables = missing.map((name) => SERVICE_VARIABLES[name].variable).join(' and ');
  it(`${suite} needs ${labels}`, () => {
    throw new Error(`${variables} not set: run \`npm test\`, which starts ${labels} for the run, or set ${variables} yourself`);
  });
}
