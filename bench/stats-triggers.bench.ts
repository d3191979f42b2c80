/**
 * What the stats dirty-hour triggers (migration StatsRollup) cost the payment path.
 *
 *   npx ts-node --transpile-only bench/stats-triggers.bench.ts [--payments=2000]
 *
 * One transaction per payment, shaped like the app's: the invoice goes to PAYMENT_INIT, a
 * payment row is inserted, completed, and the invoice is marked PAID. Alternating blocks of
 * 100 with the triggers on and off (`session_replication_role = replica` skips row triggers),
 * committed, on READY invoices of the bench database; everything is put back at the end.
 */
import { Client } from 'pg';
import { argValue, benchDatabaseUrl, percentile } from './bench-db';

async function main(): Promise<void> {
  const payments = Number(argValue('payments', '2000'));
  const db = new Client({ connectionString: benchDatabaseUrl() });
  await db.connect();
  const invoices = (
    await db.query<{ id: string }>(
      `SELECT id FROM invoices WHERE state = 'READY' ORDER BY created_at DESC LIMIT $1`,
      [payments],
    )
  ).rows.map((row) => row.id);
  const marksBefore = Number(
    (await db.query<{ n: string }>(`SELECT max(id) AS n FROM stats_dirty_hours`)).rows[0]?.n ?? 0,
  );

  const timings = { on: [] as number[], off: [] as number[] };
  for (let i = 0; i < invoices.length; i += 1) {
    const triggers = Math.floor(i / 100) % 2 === 0 ? 'on' : 'off';
    const id = invoices[i]!;
    const started = performance.now();
    await db.query('BEGIN');
    if (triggers === 'off') await db.query(`SET LOCAL session_replication_role = replica`);
    await db.query(
      `UPDATE invoices SET state = 'PAYMENT_INIT', sent_at = now(), updated_at = now() WHERE id = $1`,
      [id],
    );
    await db.query(
      `INSERT INTO payments (invoice_id, attempt, phone, amount, status)
       SELECT id, 99, customer_phone, amount, 'pending' FROM invoices WHERE id = $1`,
      [id],
    );
    await db.query(
      `UPDATE payments SET status = 'succeeded', outcome = 'paid', completed_at = now()
        WHERE invoice_id = $1 AND attempt = 99`,
      [id],
    );
    await db.query(
      `UPDATE invoices SET state = 'PAID', paid_at = now(), updated_at = now() WHERE id = $1`,
      [id],
    );
    await db.query('COMMIT');
    timings[triggers].push(performance.now() - started);
  }

  // Put the invoices back as they were, without leaving marks for the rollup.
  await db.query('BEGIN');
  await db.query(`SET LOCAL session_replication_role = replica`);
  await db.query(`DELETE FROM payments WHERE attempt = 99 AND invoice_id = ANY($1::uuid[])`, [
    invoices,
  ]);
  await db.query(
    `UPDATE invoices SET state = 'READY', sent_at = NULL, paid_at = NULL WHERE id = ANY($1::uuid[])`,
    [invoices],
  );
  await db.query(`DELETE FROM stats_dirty_hours WHERE id > $1`, [marksBefore]);
  await db.query('COMMIT');
  await db.end();

  console.log(`${invoices.length} payment transactions (4 statements each), committed:`);
  for (const [name, values] of Object.entries(timings)) {
    const sorted = [...values].sort((a, b) => a - b);
    const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
    console.log(
      `triggers ${name.padEnd(3)} n=${sorted.length}  mean=${mean.toFixed(2)} ms  p50=${percentile(sorted, 50).toFixed(2)} ms  p95=${percentile(sorted, 95).toFixed(2)} ms  p99=${percentile(sorted, 99).toFixed(2)} ms`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
