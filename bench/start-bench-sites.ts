/**
 * Starts the bench sites (`bench-sites.ts`) in a process of their own and describes them as site
 * definitions: the sites of the benchmarks and of the cluster's tests, which enforce their limits
 * exactly and count every violation where a real site would, on arrival.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { siteDefinitionSchema, type DeclarativeSiteDefinition } from '../server/sites/site-definition';
import type { BenchSiteSpec, BenchSiteStats } from './bench-sites';

/** Running bench sites. */
export interface BenchSites {
  /** One `json` site definition per spec, searching the bench sites over HTTP. */
  readonly definitions: DeclarativeSiteDefinition[];
  /** What each site saw, by site id. */
  stats(): Promise<Record<string, BenchSiteStats>>;
  /** Forgets what the sites saw. */
  reset(): Promise<void>;
  close(): void;
}

/** Starts the bench sites of `specs` in a child process. */
export async function startBenchSites(specs: readonly BenchSiteSpec[]): Promise<BenchSites> {
  const child = fork(fileURLToPath(new URL('./bench-sites.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`bench sites exited with ${code}`)));
    child.send({ specs });
  });
  const definitions = specs.map(
    (spec) =>
      siteDefinitionSchema.parse({
        id: spec.id,
        name: spec.id,
        kind: 'json',
        search: { url: `http://127.0.0.1:${port}/${spec.id}/search?q={name}` },
        limits: spec.limits,
        timeoutMs: spec.timeoutMs ?? 10_000,
        retries: spec.retries ?? 3,
        cacheTtlMs: 0,
        extract: { items: 'hits', name: 'title' },
      }) as DeclarativeSiteDefinition,
  );
  return {
    definitions,
    stats: async () => (await (await fetch(`http://127.0.0.1:${port}/__stats`)).json()) as Record<string, BenchSiteStats>,
    reset: async () => {
      await fetch(`http://127.0.0.1:${port}/__reset`, { method: 'POST' });
    },
    close: () => child.kill(),
  };
}
