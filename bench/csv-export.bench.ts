/**
 * Memory of GET /admin/invoices.csv while it streams 10k and 100k invoices (and more with
 * --rows=…) from the seeded bench database.
 *
 *   node --expose-gc -r ts-node/register/transpile-only bench/csv-export.bench.ts [--rows=10000,100000]
 *
 * The app runs in this process; the client reads the body chunk by chunk and keeps nothing but
 * counters, so memory growth is the server's. process.memoryUsage() is sampled every 25 ms;
 * the report gives the baseline after a GC, the peak during the export and the growth. Equal
 * growth for 10× the rows is what "constant memory" looks like.
 */
import { Client } from 'pg';
import { ReportsModule } from '../src/reports/reports.module';
import { startBenchApp } from './bench-app';
import { argValue, benchDatabaseUrl } from './bench-db';

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

async function fromForNewest(rows: number): Promise<string> {
  const db = new Client({ connectionString: benchDatabaseUrl() });
  await db.connect();
  try {
    const found = await db.query<{ at: string }>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
         FROM invoices ORDER BY created_at DESC LIMIT 1 OFFSET $1`,
      [rows - 1],
    );
    return found.rows[0]!.at;
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const sizes = argValue('rows', '10000,100000').split(',').map(Number);
  if (!gc) console.log('(run with node --expose-gc for a settled baseline)');
  const { app, config, url } = await startBenchApp([ReportsModule]);
  const headers = { authorization: `Bearer ${config.adminApiKey}` };

  for (const size of sizes) {
    const from = await fromForNewest(size);
    gc?.();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 25);

    const started = performance.now();
    const res = await fetch(`${url}/admin/invoices.csv?from=${encodeURIComponent(from)}`, {
      headers: { ...headers, 'x-forwarded-for': `198.51.100.${size % 250}` },
    });
    if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}`);
    let bytes = 0;
    let lines = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      for (const byte of value) if (byte === 10) lines += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);

    console.log(
      `${String(lines - 1).padStart(7)} rows  ${(bytes / MB).toFixed(1)} MB in ${seconds.toFixed(1)} s ` +
        `(${Math.round((lines - 1) / seconds)} rows/s)  ` +
        `RSS ${(base.rss / MB).toFixed(0)} → peak ${(peakRss / MB).toFixed(0)} MB (+${((peakRss - base.rss) / MB).toFixed(0)})  ` +
        `heap ${(base.heapUsed / MB).toFixed(0)} → peak ${(peakHeap / MB).toFixed(0)} MB (+${((peakHeap - base.heapUsed) / MB).toFixed(0)})`,
    );
  }
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
