/**
 * The real services the test run needs, and the environment variables that connect a suite to
 * each: the URL `npm test` sets once the service is there, and the explicit opt-out a developer
 * may set for a quick local loop. Shared by the runner (`scripts/testing/run.ts`), which provides
 * the services, and by the suites (`with-services.ts`), which refuse to pass without them.
 */

/** A service some suites cannot run without. */
export type ServiceName = 'elasticsearch' | 'redis' | 'chromium';

/** How a service is named to people and to the suites. */
export interface ServiceVariables {
  /** Said in every line about it. */
  readonly label: string;
  /** Where the suites find it (a URL, or the browser's path). */
  readonly variable: string;
  /**
   * `<OPT_OUT>=1` leaves out the step that needs it, with a warning at the end of `npm test`
   * (refused in CI). Only the browser has one: the suites that need Elasticsearch or Redis run
   * in every run, or fail naming the variable.
   */
  readonly optOut?: string;
}

export const SERVICE_VARIABLES: Readonly<Record<ServiceName, ServiceVariables>> = {
  elasticsearch: { label: 'Elasticsearch', variable: 'ELASTICSEARCH_URL' },
  redis: { label: 'Redis', variable: 'REDIS_URL' },
  chromium: { label: 'Chromium', variable: 'CHROMIUM_PATH', optOut: 'SKIP_BROWSER' },
};

/** Environment variables, as read (no variable is assumed to be set). */
export type Env = Readonly<Record<string, string | undefined>>;

/** True when the environment opts out of a service (`SKIP_…=1`). */
export function optedOut(name: ServiceName, env: Env = process.env): boolean {
  const { optOut } = SERVICE_VARIABLES[name];
  return optOut !== undefined && env[optOut] === '1';
}
