/**
 * Latency of GET /stats/summary over HTTP against the seeded bench database.
 *
 *   npx ts-node --transpile-only bench/seed-invoices.ts          # once
 *   npx ts-node --transpile-only bench/stats-summary.bench.ts [--requests=300] [--concurrency=1]
 *
 * A fixed-seed mix of filters (one merchant all time or over 30 days; the whole platform over
 * 1, 7 and 30 days and all time), periods starting and ending at arbitrary instants so that
 * the live edges are always there, 20 warm-up requests first, then p50/p95/p99 per kind and
 * overall. Then the same platform-wide periods while the rollup is behind (hours marked dirty
 * across the year, as late payments on old invoices do), and the refresh that catches up.
 */
import { Client } from 'pg';
import { loadConfig } from '../src/config/load-config';
import { StatsRollupJob } from '../src/stats/stats-rollup.job';
import { StatsRollupService } from '../src/stats/stats-rollup.service';
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
  const requests = Number(argValue('requests', '300'));
  const concurrency = Number(argValue('concurrency', '1'));
  const db = new Client({ connectionString: benchDatabaseUrl() });
  await db.connect();
  const merchants = (await db.query<{ id: string }>(`SELECT id FROM merchants ORDER BY id`)).rows;
  const invoices = (await db.query<{ n: string }>(`SELECT count(*) AS n FROM invoices`)).rows[0]!.n;
  await db.end();
  console.log(`bench database: ${invoices} invoices, ${merchants.length} merchants`);

  // The rollup job is driven by the bench below, so the phases with a stale rollup stay stale.
  const { app, config, url } = await startBenchApp([StatsModule], {
    STATS_ROLLUP_INTERVAL_SECONDS: '0',
  });
  const headers = { authorization: `Bearer ${config.adminApiKey}` };
  const random = lcg(42);
  const now = Date.now();
  const pick = () => merchants[Math.floor(random() * merchants.length)]!.id;
  const dayStart = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();

  const platform = (kind: string, days: number, back: number): Probe => ({
    kind,
    query: `from=${dayStart(back + days)}&to=${dayStart(back)}`,
  });
  const probe = (): Probe => {
    const r = random();
    const back = 1 + Math.floor(random() * 300);
    if (r < 0.3) return { kind: 'merchant, all time', query: `merchant=${pick()}` };
    if (r < 0.5)
      return {
        kind: 'merchant, 30 days',
        query: `merchant=${pick()}&from=${dayStart(back + 30)}&to=${dayStart(back)}`,
      };
    if (r < 0.65) return platform('platform, 1 day', 1, back);
    if (r < 0.8) return platform('platform, 7 days', 7, back);
    if (r < 0.9) return platform('platform, 30 days', 30, back);
    return { kind: 'platform, all time', query: '' };
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

  // A refresh may be in flight elsewhere (it holds the lock): wait until one runs to the end.
  const rollup = app.get(StatsRollupService);
  const catchUp = async (): Promise<number> => {
    let hours = 0;
    for (;;) {
      const result = await rollup.refresh();
      hours += result.hours;
      if (result.ran && !result.remaining) return hours;
      if (!result.ran) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  console.log(`rollup caught up before measuring: ${await catchUp()} stale hours refreshed`);

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

  // The rollup behind: hours marked dirty across the year (no data changes, only the marks a
  // late payment on an old invoice would leave), each counted live until the refresh.
  const behind = (): Probe[] =>
    Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? { kind: 'platform, all time', query: '' }
        : platform('platform, 7 days', 7, 1 + Math.floor(random() * 300)),
    );
  for (const hours of [24, 168]) {
    const marker = new Client({ connectionString: benchDatabaseUrl() });
    await marker.connect();
    await marker.query(
      `INSERT INTO stats_dirty_hours (hour)
       SELECT date_trunc('hour', now() - make_interval(hours => (h * 7919) % 8700), 'UTC')
         FROM generate_series(1, $1) h`,
      [hours],
    );
    await marker.end();
    console.log(`\nwith ${hours} dirty hours spread over the year (counted live):`);
    report(await run(behind()));
    const started = performance.now();
    const caught = await catchUp();
    console.log(`refresh of ${caught} hours: ${(performance.now() - started).toFixed(0)} ms`);
  }

  // Steady state: payments landing on recent invoices while the summary is read and the
  // rollup job runs at the default STATS_ROLLUP_INTERVAL_SECONDS.
  const writesPerSecond = Number(argValue('writes', '20'));
  const writer = new Client({ connectionString: benchDatabaseUrl() });
  await writer.connect();
  const recent = (
    await writer.query<{ id: string }>(
      `SELECT id FROM invoices WHERE state = 'READY' AND created_at > now() - interval '3 days'
        ORDER BY random() LIMIT 5000`,
    )
  ).rows.map((row) => row.id);
  const paid: string[] = [];
  let writing = true;
  const writeLoop = async () => {
    for (const id of recent) {
      if (!writing) return;
      const started = performance.now();
      await writer.query('BEGIN');
      await writer.query(
        `UPDATE invoices SET state = 'PAID', sent_at = now() - interval '10 minutes', paid_at = now() WHERE id = $1`,
        [id],
      );
      await writer.query(
        `INSERT INTO payments (invoice_id, attempt, phone, amount, status, outcome)
         SELECT id, 99, customer_phone, amount, 'succeeded', 'paid' FROM invoices WHERE id = $1`,
        [id],
      );
      await writer.query('COMMIT');
      paid.push(id);
      const wait = 1000 / writesPerSecond - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  const writes = writeLoop();
  const interval = loadConfig({ ADMIN_API_KEY: config.adminApiKey }).statsRollupIntervalSeconds;
  const job = setInterval(() => void app.get(StatsRollupJob).refresh(), interval * 1000);
  const loadSeconds = Number(argValue('load-seconds', '60'));
  const underLoad = new Map<string, number[]>();
  const loadEnds = performance.now() + loadSeconds * 1000;
  while (performance.now() < loadEnds) {
    for (const [kind, values] of await run(Array.from({ length: 20 }, probe))) {
      underLoad.set(kind, [...(underLoad.get(kind) ?? []), ...values]);
    }
  }
  writing = false;
  clearInterval(job);
  console.log(
    `\n${loadSeconds} s of the mix while ${writesPerSecond} payments a second land on invoices of the last 3 days:`,
  );
  await writes;
  report(underLoad);
  console.log(`payments written meanwhile: ${paid.length}`);
  // Undo them (with the triggers on, so the rollup follows), then catch up.
  await writer.query(`DELETE FROM payments WHERE attempt = 99 AND invoice_id = ANY($1::uuid[])`, [
    paid,
  ]);
  await writer.query(
    `UPDATE invoices SET state = 'READY', sent_at = NULL, paid_at = NULL WHERE id = ANY($1::uuid[])`,
    [paid],
  );
  await writer.end();
  await catchUp();
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
