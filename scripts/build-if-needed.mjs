// Builds the Next.js app when there is no build yet or a source file is newer than it, so that
// `npm start` and the e2e tests always serve the current code without rebuilding needlessly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['app', 'components', 'lib', 'server', 'next.config.mjs', 'postcss.config.mjs', 'package.json', 'tsconfig.json'];

function newestMtime(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** True when `.next` is missing or older than any source. */
export function buildIsStale() {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  return SOURCES.map((entry) => path.join(root, entry)).some((entry) => existsSync(entry) && newestMtime(entry) > built);
}

/** Runs `next build` when stale; exits the process if the build fails. */
export function buildIfNeeded() {
  if (!buildIsStale()) return false;
  console.log('sitescan: building the web app (next build)…');
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
  });
  if (result.status !== 0) {
    console.error(`sitescan: next build failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) buildIfNeeded();
