/**
 * Latency of GET /stats/summary over HTTP against the seeded bench database.
 *
 *   npx ts-node --transpile-only bench/seed-invoices.ts          # once
 *   npx ts-node --transpile-only bench/stats-summary.bench.ts [--requests=200] [--concurrency=1]
 *
 * A fixed-seed mix of realistic filters (one merchant, one merchant over 30 days, the whole
 * platform over 1 and 7 days), 20 warm-up requests first, then p50/p95/p99 per kind and
 * overall. Broad platform-wide periods are measured separately (fewer requests): they are the
 * expensive case and reported as such.
 */
import { Client } from 'pg';
import { StatsModule } from '../src/stats/stats.module';
import { startBenchApp } from './bench-app';
import { argValue, benchDatabaseUrl, percentile } from './bench-db';

interface Probe {
  kind: string;
  query: string;
}

/** Deterministic so that two runs measure the same requests. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const DAY = 86_400_000;

async function main(): Promise<void> {
  const requests = Number(argValue('requests', '200'));
  const concurrency = Number(argValue('concurrency', '1'));
  const db = new Client({ connectionString: benchDatabaseUrl() });
  await db.connect();
  const merchants = (await db.query<{ id: string }>(`SELECT id FROM merchants ORDER BY id`)).rows;
  const invoices = (await db.query<{ n: string }>(`SELECT count(*) AS n FROM invoices`)).rows[0]!.n;
  await db.end();
  console.log(`bench database: ${invoices} invoices, ${merchants.length} merchants`);

  const { app, config, url } = await startBenchApp([StatsModule]);
  const headers = { authorization: `Bearer ${config.adminApiKey}` };
  const random = lcg(42);
  const now = Date.now();
  const pick = () => merchants[Math.floor(random() * merchants.length)]!.id;
  const dayStart = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();

  const probe = (): Probe => {
    const r = random();
    const back = 1 + Math.floor(random() * 300);
    if (r < 0.4) return { kind: 'merchant, all time', query: `merchant=${pick()}` };
    if (r < 0.7)
      return {
        kind: 'merchant, 30 days',
        query: `merchant=${pick()}&from=${dayStart(back + 30)}&to=${dayStart(back)}`,
      };
    if (r < 0.9)
      return {
        kind: 'platform, 1 day',
        query: `from=${dayStart(back + 1)}&to=${dayStart(back)}`,
      };
    return { kind: 'platform, 7 days', query: `from=${dayStart(back + 7)}&to=${dayStart(back)}` };
  };

  // /stats is rate-limited per client address (120 a minute); the app trusts X-Forwarded-For
  // from loopback, so the bench speaks for many operators instead of one.
  let sent = 0;
  const call = async (query: string): Promise<number> => {
    sent += 1;
    const forwarded = `198.51.100.${sent % 250}`;
    const started = performance.now();
    const res = await fetch(`${url}/stats/summary?${query}`, {
      headers: { ...headers, 'x-forwarded-for': forwarded },
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`HTTP ${res.status} for ${query}`);
    return performance.now() - started;
  };

  const run = async (probes: Probe[]): Promise<Map<string, number[]>> => {
    const timings = new Map<string, number[]>();
    let next = 0;
    const worker = async () => {
      while (next < probes.length) {
        const p = probes[next++]!;
        const ms = await call(p.query);
        timings.set(p.kind, [...(timings.get(p.kind) ?? []), ms]);
        timings.set('ALL', [...(timings.get('ALL') ?? []), ms]);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return timings;
  };

  await run(Array.from({ length: 20 }, probe));
  const report = (timings: Map<string, number[]>) => {
    for (const [kind, values] of timings) {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(
        `${kind.padEnd(26)} n=${String(sorted.length).padStart(4)}  p50=${percentile(sorted, 50).toFixed(1)} ms  p95=${percentile(sorted, 95).toFixed(1)} ms  p99=${percentile(sorted, 99).toFixed(1)} ms  max=${sorted[sorted.length - 1]!.toFixed(1)} ms`,
      );
    }
  };
  console.log(`\n${requests} requests, concurrency ${concurrency}:`);
  report(await run(Array.from({ length: requests }, probe)));

  const broad: Probe[] = [];
  for (let i = 0; i < 5; i += 1) {
    broad.push({ kind: 'platform, 30 days', query: `from=${dayStart(60)}&to=${dayStart(30)}` });
    broad.push({ kind: 'platform, all time', query: '' });
  }
  console.log('\nbroad platform-wide periods (not in the mix above):');
  report(await run(broad));
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
