import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Tests that start real sitescan node processes (and a Next build) and measure what sites see. */
const PROCESS_TESTS = ['server/cluster/cluster.test.ts'];

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Integration tests start real HTTP servers on port 0; files in parallel on 2 cores is enough.
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{lib,server,app,components,scripts}/**/*.test.ts'], exclude: PROCESS_TESTS },
      },
      {
        // Run alone, after the others (`npm test`): three node processes and a site process that
        // stamps arrivals share 2 cores with nothing else, so the site counts what was sent.
        extends: true,
        test: { name: 'processes', include: PROCESS_TESTS, fileParallelism: false },
      },
    ],
  },
});
