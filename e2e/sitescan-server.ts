/**
 * Starts a real sitescan server (the production build, through server/index.ts) in a child
 * process for a browser journey, and stops it. A spec owns its server so it can restart it.
 */
import { freePort, SERVER_NODE_ARGS, startReadyChild, stopChild } from '../scripts/support/child-process';

export { freePort };

/** A running sitescan child process. */
export interface SitescanServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts sitescan with the sandbox network and waits until it says it is ready. */
export async function startSitescanServer(options: { dataDir: string; port?: number; env?: Record<string, string> }): Promise<SitescanServer> {
  const port = options.port ?? (await freePort());
  const child = await startReadyChild({
    name: 'sitescan',
    args: SERVER_NODE_ARGS,
    env: {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: options.dataDir,
      SANDBOX: '1',
      // The journeys are of the product as a new user runs it: one process on the embedded SQLite
      // store, even when CI has Elasticsearch and Redis up for the store and cluster tests.
      ELASTICSEARCH_URL: '',
      REDIS_URL: '',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    ready: 'sitescan is ready',
    timeoutMs: 60_000,
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await stopChild(child);
    },
  };
}
