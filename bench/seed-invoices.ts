/**
 * Seeds the bench database with N invoices (default 1,000,000) and their payments, deliveries
 * and REMIND transitions, entirely inside PostgreSQL (INSERT … SELECT generate_series).
 *
 *   npx ts-node --transpile-only bench/seed-invoices.ts [--invoices=1000000] [--merchants=1000]
 *
 * Drops and recreates the `invoiceiq_bench` database, runs the project's migrations on it
 * (same data source options as the app), seeds in chunks with the stats triggers off (as a
 * bulk import would), marks every hour dirty as migration StatsRollup does on an existing
 * database, builds the rollup with the app's own StatsRollupService, then VACUUM ANALYZE.
 */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { InvoiceCohortQuery } from '../src/stats/invoice-cohort.query';
import { StatsRollupRepository } from '../src/stats/stats-rollup.repository';
import { StatsRollupService } from '../src/stats/stats-rollup.service';
import { argValue, BENCH_DB, benchDatabaseUrl, withServer } from './bench-db';

const CHUNK = 100_000;
const CUSTOMERS_PER_MERCHANT = 20;

async function main(): Promise<void> {
  const invoices = Number(argValue('invoices', '1000000'));
  const merchants = Number(argValue('merchants', String(Math.max(1, Math.round(invoices / 1000)))));
  const started = performance.now();
  const lap = (label: string) =>
    console.log(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);

  await withServer(async (server) => {
    await server.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
    await server.query(`CREATE DATABASE ${BENCH_DB}`);
  });
  const url = benchDatabaseUrl();
  const dataSource = new DataSource(dataSourceOptions({ url }));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  lap('database created and migrated');

  const db = new Client({ connectionString: url, statement_timeout: 0 } as never);
  await db.connect();
  await db.query(`SET synchronous_commit = off`);
  // Bulk load: no row triggers (the stats dirty marks); every hour is marked once at the end.
  await db.query(`SET session_replication_role = replica`);
  await db.query(
    `INSERT INTO merchants (display_name, whatsapp_phone, created_at)
     SELECT 'Bench merchant ' || m, '+2547' || lpad(m::text, 8, '0'), now() - interval '400 days'
       FROM generate_series(1, $1) m`,
    [merchants],
  );
  await db.query(
    `INSERT INTO customers (merchant_id, name, phone)
     SELECT id, 'Customer ' || c, '+2541' || lpad((row_number() OVER ())::text, 8, '0')
       FROM merchants, generate_series(1, $1) c`,
    [CUSTOMERS_PER_MERCHANT],
  );
  // Numbered merchants and customers so that invoice g maps to one arithmetically.
  await db.query(
    `CREATE TEMP TABLE m_idx AS SELECT row_number() OVER (ORDER BY whatsapp_phone) - 1 AS n, id FROM merchants`,
  );
  await db.query(
    `CREATE TEMP TABLE c_idx AS
       SELECT m.n AS m, row_number() OVER (PARTITION BY c.merchant_id ORDER BY c.phone) - 1 AS n,
              c.id, c.phone
         FROM customers c JOIN m_idx m ON m.id = c.merchant_id`,
  );
  await db.query(`CREATE UNIQUE INDEX ON c_idx (m, n)`);
  lap(`${merchants} merchants, ${merchants * CUSTOMERS_PER_MERCHANT} customers`);

  // State mix by g % 20: 0-3 READY, 4-8 SENT, 9 PARTIALLY_PAID, 10-16 PAID, 17 FAILED, 18 CANCELLED, 19 PAYMENT_INIT.
  for (let from = 1; from <= invoices; from += CHUNK) {
    const to = Math.min(invoices, from + CHUNK - 1);
    await db.query(
      `INSERT INTO invoices (ref, merchant_id, customer_id, customer_phone, amount, amount_paid,
                             description, pay_token, state, snapshot, sent_at, paid_at, created_at, updated_at)
       SELECT 'B-' || g, c.m_id, c.id, c.phone, a.amount,
              CASE WHEN s.state = 'PAID' THEN a.amount WHEN s.state = 'PARTIALLY_PAID' THEN a.amount / 2 ELSE 0 END,
              'Bench invoice ' || g, 'bench-' || g, s.state,
              jsonb_build_object('value', s.state, 'context', jsonb_build_object('invoiceId', g, 'amount', a.amount, 'deliveries', 1)),
              CASE WHEN s.state <> 'READY' THEN t.created_at + interval '30 seconds' END,
              CASE WHEN s.state = 'PAID' THEN t.created_at + interval '30 seconds' + make_interval(secs => (g * 7919) % 172800) END,
              t.created_at, t.created_at
         FROM generate_series($1::bigint, $2::bigint) g
         CROSS JOIN LATERAL (SELECT (100 + (g * 37) % 20000)::int AS amount) a
         CROSS JOIN LATERAL (SELECT CASE
                WHEN g % 20 < 4 THEN 'READY' WHEN g % 20 < 9 THEN 'SENT' WHEN g % 20 = 9 THEN 'PARTIALLY_PAID'
                WHEN g % 20 < 17 THEN 'PAID' WHEN g % 20 = 17 THEN 'FAILED' WHEN g % 20 = 18 THEN 'CANCELLED'
                ELSE 'PAYMENT_INIT' END AS state) s
         CROSS JOIN LATERAL (SELECT now() - make_interval(secs => 365 * 86400 * (1 - g::float8 / $5) + (g * 7919) % 600) AS created_at) t
         JOIN LATERAL (SELECT ci.id, ci.phone, mi.id AS m_id FROM c_idx ci JOIN m_idx mi ON mi.n = ci.m
                        WHERE ci.m = g % $3 AND ci.n = (g / $3) % $4) c ON true`,
      [from, to, merchants, CUSTOMERS_PER_MERCHANT, invoices],
    );
    lap(`invoices ${to}`);
  }

  // One payment per invoice that got as far as a payment; failed ones also get a second, failed try.
  await db.query(
    `INSERT INTO payments (invoice_id, attempt, phone, amount, checkout_request_id, status, outcome,
                           result_code, mpesa_receipt, paid_amount, initiated_at, completed_at)
     SELECT i.id, 1, i.customer_phone, i.amount, 'ws_CO_' || i.ref,
            CASE WHEN i.state IN ('PAID', 'PARTIALLY_PAID') THEN 'succeeded'
                 WHEN i.state = 'PAYMENT_INIT' THEN 'pending' ELSE 'failed' END,
            CASE WHEN i.state IN ('PAID', 'PARTIALLY_PAID') THEN 'paid'
                 WHEN i.state = 'PAYMENT_INIT' THEN NULL
                 ELSE (ARRAY['cancelled', 'wrong_pin', 'insufficient_funds', 'timeout'])[1 + abs(hashtext(i.ref)) % 4] END,
            CASE WHEN i.state IN ('PAID', 'PARTIALLY_PAID') THEN 0 WHEN i.state = 'PAYMENT_INIT' THEN NULL ELSE 1032 END,
            CASE WHEN i.state IN ('PAID', 'PARTIALLY_PAID') THEN 'R' || i.ref END,
            CASE WHEN i.state IN ('PAID', 'PARTIALLY_PAID') THEN i.amount_paid END,
            i.sent_at + interval '60 seconds', i.paid_at
       FROM invoices i WHERE i.state IN ('PAID', 'PARTIALLY_PAID', 'FAILED', 'PAYMENT_INIT')`,
  );
  await db.query(
    `INSERT INTO payments (invoice_id, attempt, phone, amount, status, outcome, result_code, initiated_at, completed_at)
     SELECT i.id, 2, i.customer_phone, i.amount, 'failed', 'cancelled', 1032, i.sent_at + interval '2 minutes', i.sent_at + interval '3 minutes'
       FROM invoices i WHERE i.state = 'FAILED'`,
  );
  lap('payments');

  // Every sent invoice has its invoice delivery (15 % by SMS fallback); a third get a reminder.
  await db.query(
    `INSERT INTO deliveries (idempotency_key, purpose, recipient, invoice_id, channel_policy, payload,
                             delivered_via, state, created_at, updated_at)
     SELECT 'invoice:' || i.id || ':invoice.deliver:deliver:1', 'invoice', i.customer_phone, i.id, 'auto', '{}'::jsonb,
            CASE WHEN abs(hashtext(i.ref)) % 100 < 15 THEN 'sms' ELSE 'whatsapp' END,
            CASE WHEN abs(hashtext(i.ref)) % 100 < 15 THEN 'SMS_SENT' ELSE 'DELIVERED' END,
            i.sent_at - interval '20 seconds', i.sent_at
       FROM invoices i WHERE i.sent_at IS NOT NULL`,
  );
  await db.query(
    `INSERT INTO deliveries (idempotency_key, purpose, recipient, invoice_id, channel_policy, payload,
                             delivered_via, state, created_at, updated_at)
     SELECT 'invoice:' || i.id || ':invoice.deliver:deliver:2', 'reminder', i.customer_phone, i.id, 'auto', '{}'::jsonb,
            'whatsapp', 'DELIVERED', i.sent_at + interval '1 hour', i.sent_at + interval '1 hour'
       FROM invoices i WHERE i.sent_at IS NOT NULL AND abs(hashtext(i.ref)) % 3 = 0`,
  );
  await db.query(
    `INSERT INTO transitions (machine_kind, entity_id, from_state, to_state, event_type, source, accepted, version, at)
     SELECT 'invoice', d.invoice_id::text, 'SENT', 'SENT', 'REMIND', 'timer', true, 3, d.created_at
       FROM deliveries d WHERE d.purpose = 'reminder'`,
  );
  lap('deliveries and transitions');

  await db.query(`SET session_replication_role = DEFAULT`);
  await db.query(
    `INSERT INTO stats_dirty_hours (hour) SELECT DISTINCT date_trunc('hour', created_at, 'UTC') FROM invoices`,
  );
  await db.query(`VACUUM ANALYZE`);
  lap('vacuum analyze');

  const rollupSource = new DataSource(dataSourceOptions({ url }));
  await rollupSource.initialize();
  const buildStarted = performance.now();
  const built = await new StatsRollupService(
    rollupSource,
    new StatsRollupRepository(),
    new InvoiceCohortQuery(),
  ).refreshAll();
  console.log(
    `stats rollup built: ${built.hours} hours in ${built.batches} batches, ${((performance.now() - buildStarted) / 1000).toFixed(1)} s`,
  );
  await rollupSource.destroy();
  await db.query(`VACUUM ANALYZE stats_hourly`);
  await db.query(`VACUUM ANALYZE stats_daily`);
  await db.query(`VACUUM ANALYZE stats_dirty_hours`);
  lap('stats rollup');
  const counts = await db.query<{ t: string; n: string }>(
    `SELECT 'invoices' t, count(*) n FROM invoices UNION ALL SELECT 'payments', count(*) FROM payments
     UNION ALL SELECT 'deliveries', count(*) FROM deliveries UNION ALL SELECT 'transitions', count(*) FROM transitions`,
  );
  for (const row of counts.rows) console.log(`${row.t}: ${row.n}`);
  const size = await db.query<{ size: string }>(
    `SELECT pg_size_pretty(pg_database_size(current_database())) AS size`,
  );
  console.log(`database size: ${size.rows[0]?.size}`);
  await db.end();
  lap('done');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
