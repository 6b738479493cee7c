/**
 * Starts a whole sitescan for integration tests: real store (SQLite in a temp dir), real sandbox
 * network over HTTP, real pipeline and Socket.IO hub on port 0 — only the Next.js pages are left
 * out (`web: false`); the browser journeys in e2e/ cover those.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from './config';
import { startSitescan, type RunningSitescan } from './index';

/** A running test instance and its temp data dir. */
export interface TestSitescan extends RunningSitescan {
  readonly dataDir: string;
  /** Closes it and removes its data dir. */
  dispose(): Promise<void>;
}

/** Starts sitescan with the sandbox; `env` overrides configuration variables. */
export async function startTestSitescan(env: Record<string, string> = {}, dataDir?: string): Promise<TestSitescan> {
  const dir = dataDir ?? (await mkdtemp(path.join(tmpdir(), 'sitescan-test-')));
  // The calm profile has no faults, so integration tests are deterministic; the others are
  // exercised by the sandbox's own tests and the reliability checks.
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    SANDBOX: '1',
    SANDBOX_SPEED: '0.05',
    SANDBOX_PROFILE: 'calm',
    ...env,
    DATA_DIR: dir,
  });
  const app = await startSitescan({ config, web: false });
  return {
    ...app,
    dataDir: dir,
    async dispose() {
      await app.close();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
