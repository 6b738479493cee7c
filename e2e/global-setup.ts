import { existsSync } from 'node:fs';
// @ts-expect-error -- a plain .mjs script without types
import { buildIfNeeded } from '../scripts/build-if-needed.mjs';

/** Fails loudly when the browser is missing, then builds the app once for every spec. */
export default function globalSetup(): void {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(`Chromium not found at ${chromium}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  (buildIfNeeded as () => boolean)();
}
