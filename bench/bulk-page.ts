/**
 * `npm run bench:bulk-page` — a large bulk run's page in a real browser (Debian's Chromium), on
 * the production build with the sandbox network:
 *
 * 1. Upload a CSV of BENCH_BULK_ROWS businesses (default 200; the sandbox dataset's, with their
 *    city) on `/bulk`, and time from the click to the run's page (`/bulk/<id>`), to its first row
 *    of searches, and to every row.
 * 2. Wait for every search to end (BULK_DEADLINE_MS is set to 20 s so the wait is bounded; the
 *    page does not depend on how the searches end), reload the page, and time until the coverage
 *    matrix draws all of its rows × sites cells, until every cell has its search's result (the
 *    page replays each search's events over one socket), and until it says every search ended.
 *
 * Prints the figures. Times are taken in this process around the browser's waits (Playwright
 * polls every few ms), so they carry a few ms of that on top of what the user sees.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import Papa from 'papaparse';
import { startSitescanServer } from '../e2e/sitescan-server';
import { killAllChildren } from '../scripts/support/child-process';
import { queriesFrom } from '../scripts/load/workload';
// @ts-expect-error -- a plain .mjs script without types
import { buildIfNeeded } from '../scripts/build-if-needed.mjs';

const ROWS = Number(process.env.BENCH_BULK_ROWS ?? 200);
if (!Number.isInteger(ROWS) || ROWS < 1 || ROWS > 1_000) throw new TypeError(`Expected BENCH_BULK_ROWS to be an integer in 1–1000, got ${process.env.BENCH_BULK_ROWS}`);

async function main() {
  (buildIfNeeded as () => boolean)();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sitescan-bench-bulk-page-'));
  const server = await startSitescanServer({ dataDir, env: { BULK_DEADLINE_MS: '20000', BULK_ROWS_PER_HOUR: '100000' } });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const next = queriesFrom(1);
    const rows = Array.from({ length: ROWS }, () => next());
    const csv = Papa.unparse({ fields: ['name', 'location'], data: rows.map((row) => [row.name, row.location]) });
    const { sites } = (await (await fetch(`${server.url}/api/sites`)).json()) as { sites: unknown[] };

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/bulk`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'bench.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const table = page.getByRole('table', { name: 'Searches of the bulk run' });
    const clicked = performance.now();
    await page.getByRole('button', { name: 'Start bulk scan' }).click();
    await page.waitForURL(/\/bulk\/[A-Za-z0-9_-]{22}$/, { timeout: 60_000 });
    const onRunPage = performance.now();
    await table.locator('tbody tr').first().waitFor({ timeout: 60_000 });
    const firstRow = performance.now();
    await page.waitForFunction((n) => document.querySelectorAll('table tbody tr[data-search][data-status]').length >= n, ROWS, { timeout: 60_000 });
    const allRows = performance.now();

    // Every search ends by its bulk deadline (20 s after it started, and the last started last).
    await page.getByText(`${ROWS} of ${ROWS} searches ended`).waitFor({ timeout: 120_000 });
    const cells = ROWS * sites.length;
    const reloaded = performance.now();
    await page.reload();
    // The matrix draws every row once the first search's sites are known (the rest `open`), and
    // fills as each search's events come back over the socket.
    await page.waitForFunction((n) => document.querySelectorAll('tbody td[data-cell]').length >= n, cells, { timeout: 120_000 });
    const matrixDrawn = performance.now();
    await page.waitForFunction(() => document.querySelectorAll('tbody td[data-cell="open"]').length === 0, undefined, { timeout: 120_000 });
    const matrixFilled = performance.now();
    await page.getByText(`${ROWS} of ${ROWS} searches ended`).waitFor({ timeout: 120_000 });
    const endedShown = performance.now();
    const openCells = await page.locator('tbody td[data-cell="open"]').count();

    const ms = (value: number) => `${Math.round(value)} ms`;
    console.log(`\n## Bulk run page, ${ROWS} businesses × ${sites.length} sites = ${cells} cells (production build, sandbox, Chromium)`);
    console.table({
      'click → run page (POST answered, page loaded)': ms(onRunPage - clicked),
      'click → first row of searches': ms(firstRow - clicked),
      [`click → all ${ROWS} rows`]: ms(allRows - clicked),
      [`reload of the ended run → all ${cells} matrix cells drawn`]: ms(matrixDrawn - reloaded),
      'reload → every cell filled (no "open")': ms(matrixFilled - reloaded),
      'reload → "all searches ended"': ms(endedShown - reloaded),
    });
    console.log(`matrix cells still "open" after the reload: ${openCells} (expected 0)`);
  } finally {
    await browser.close();
    await server.stop();
    killAllChildren();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
