import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Tests that measure what sites see by arrival stamps (real node processes of the cluster, a
 * Next build; the pipeline under load; the sandbox's verdict on a compliant client): run alone, so
 * other tests on the same cores do not skew them.
 */
const PROCESS_TESTS = ['server/cluster/cluster.test.ts', 'server/pipeline/pipeline-under-load.test.ts', 'server/sandbox/sandbox-limits.test.ts'];

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
