/**
 * `npm run bench:bulk-export` — the export of a whole bulk run
 * (`GET /api/bulk/:id/export`), in process with the sandbox network:
 *
 * 1. Start a bulk run of BENCH_BULK_ROWS businesses (default 200; the sandbox dataset's, with
 *    their city) through the route handler, and wait for every search to end (BULK_DEADLINE_MS is
 *    20 s, so the wait is bounded).
 * 2. Download it as CSV, then as JSON, reading the body a chunk at a time, and report its size,
 *    chunks and time to the first and the last byte; then download it again with a collection
 *    after each chunk, and report the most the heap held over what it held before: what the
 *    export keeps at once, against the whole body.
 *
 * The heap is sampled after each chunk, so a peak inside one chunk's making can be missed.
 */
import Papa from 'papaparse';
import { GET as exportRun } from '../app/api/bulk/[id]/export/route';
import { POST as bulk } from '../app/api/bulk/route';
import { queriesFrom } from '../scripts/load/workload';
import { startTestSitescan } from '../server/test-support';

const ROWS = Number(process.env.BENCH_BULK_ROWS ?? 200);
if (!Number.isInteger(ROWS) || ROWS < 1 || ROWS > 1_000) throw new TypeError(`Expected BENCH_BULK_ROWS to be an integer in 1–1000, got ${process.env.BENCH_BULK_ROWS}`);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc, so the heap is measured after a collection');

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  const app = await startTestSitescan({ BULK_DEADLINE_MS: '20000', BULK_ROWS_PER_HOUR: '100000' });
  try {
    const next = queriesFrom(1);
    const rows = Array.from({ length: ROWS }, () => next());
    const csv = Papa.unparse({ fields: ['name', 'location'], data: rows.map((row) => [row.name, row.location]) });
    const posted = await bulk(new Request('http://bench/api/bulk?name=bench.csv', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv }));
    if (posted.status !== 201) throw new Error(`POST /api/bulk answered ${posted.status}: ${await posted.text()}`);
    const run = (await posted.json()) as { id: string; searches: { id: string }[] };
    await Promise.all(run.searches.map((search) => app.services.searches.whenEnded(search.id)));

    const download = async (format: 'csv' | 'json') => {
      const response = await exportRun(new Request(`http://bench/api/bulk/${run.id}/export?format=${format}`), { params: Promise.resolve({ id: run.id }) });
      return response.body!.getReader();
    };
    const figures: Record<string, Record<string, string | number>> = {};
    for (const format of ['csv', 'json'] as const) {
      // Timed alone: no collection forced in between.
      const started = performance.now();
      const timed = await download(format);
      let bytes = 0;
      let chunks = 0;
      let firstByteMs = 0;
      for (let chunk = await timed.read(); !chunk.done; chunk = await timed.read()) {
        if (chunks === 0) firstByteMs = performance.now() - started;
        chunks++;
        bytes += chunk.value.byteLength;
      }
      const lastByteMs = performance.now() - started;
      // Measured again, with a collection after each chunk: what the export keeps at once.
      gc!();
      const base = process.memoryUsage().heapUsed;
      let kept = 0;
      const measured = await download(format);
      for (let chunk = await measured.read(); !chunk.done; chunk = await measured.read()) {
        gc!();
        kept = Math.max(kept, process.memoryUsage().heapUsed - base);
      }
      figures[format] = {
        body: mb(bytes),
        chunks,
        'first byte': `${Math.round(firstByteMs)} ms`,
        'last byte': `${Math.round(lastByteMs)} ms`,
        'heap kept while read, most': mb(kept),
      };
    }
    console.log(`\n## Export of a bulk run of ${ROWS} businesses × ${app.services.registry.all().length} sites (in process, sandbox)`);
    console.table(figures);
  } finally {
    await app.dispose();
  }
}

await main();
