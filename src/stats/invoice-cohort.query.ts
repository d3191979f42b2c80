import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import type { Counters, OpenRange } from './stats-counters';

/** The additive figures (see Counters) of the invoices created in given time ranges. */
@Injectable()
export class InvoiceCohortQuery {
  /**
   * Counts the invoices created in `ranges` (optionally of one merchant), per UTC hour of
   * creation when `perHour`, else as one total under the key `all`. The rollup refresh stores
   * these per hour; the summary adds them up for the parts of a period the rollup does not
   * cover. Four index-driven queries: side by side on separate pooled connections when `tx` is
   * the DataSource's manager (`parallel`), one after the other inside a transaction.
   */
  async countByHour(
    tx: EntityManager,
    ranges: OpenRange[],
    options: { merchantId?: string; parallel: boolean; perHour: boolean },
  ): Promise<Map<string, Counters>> {
    const { merchantId } = options;
    const params: unknown[] = [
      ranges.map((r) => r.start?.toISOString() ?? '-infinity'),
      ranges.map((r) => r.end?.toISOString() ?? 'infinity'),
    ];
    let merchant = '';
    if (merchantId) {
      params.push(merchantId);
      merchant = `AND i.merchant_id = $3::uuid`;
    }
    // One index range scan per range (OFFSET 0 keeps the planner from turning it into a scan of
    // every invoice against every range), reading only what the covering indexes hold.
    const cohort = `unnest($1::timestamptz[], $2::timestamptz[]) AS span(s, e)
      CROSS JOIN LATERAL (
        SELECT i.id, i.created_at, i.state, i.sent_at, i.paid_at FROM invoices i
         WHERE i.created_at >= span.s AND i.created_at < span.e ${merchant} OFFSET 0) i`;
    const hour = options.perHour ? `date_trunc('hour', i.created_at, 'UTC')` : `NULL::timestamptz`;

    const run =
      <T>(sql: string) =>
      () =>
        queryRows<T>(tx, sql, params);
    const invoiceCounts = run<{
      hour: Date | null;
      by_bucket: boolean;
      state: string | null;
      bucket: number | null;
      n: string;
      sent: string;
      paid: string;
      ttp_count: string;
      ttp_sum: string | null;
    }>(
      `SELECT ${hour} AS hour, GROUPING(i.state) = 1 AS by_bucket,
              i.state, width_bucket(ttp.s, stats_ttp_thresholds()) AS bucket,
              count(*) AS n, count(i.sent_at) AS sent, count(i.paid_at) AS paid,
              count(ttp.s) AS ttp_count, sum(ttp.s) AS ttp_sum
         FROM ${cohort}
         CROSS JOIN LATERAL (SELECT extract(epoch FROM i.paid_at - i.sent_at) AS s) ttp
        GROUP BY GROUPING SETS ((1, i.state), (1, width_bucket(ttp.s, stats_ttp_thresholds())))`,
    );
    const paymentCounts = run<{
      hour: Date | null;
      status: string;
      outcome: string | null;
      n: string;
    }>(
      // OFFSET 0 keeps the lateral subquery from being flattened: otherwise the planner
      // prefers hashing the whole payments table over a few thousand index probes.
      `SELECT ${hour} AS hour, p.status, p.outcome, count(*) AS n
         FROM ${cohort}
         CROSS JOIN LATERAL (SELECT p.status, p.outcome FROM payments p
                              WHERE p.invoice_id = i.id OFFSET 0) p
        GROUP BY 1, 2, 3`,
    );
    const deliveryCounts = run<{
      hour: Date | null;
      purpose: string;
      via: string | null;
      n: string;
    }>(
      `SELECT ${hour} AS hour, d.purpose,
              coalesce(d.delivered_via, CASE WHEN d.state = 'FAILED' THEN 'failed' END) AS via,
              count(*) AS n
         FROM ${cohort}
         JOIN deliveries d ON d.invoice_id = i.id AND d.purpose IN ('invoice', 'reminder')
        GROUP BY 1, 2, 3`,
    );
    const reminderCounts = run<{ hour: Date | null; reminded: string; paid_after: string }>(
      `SELECT ${hour} AS hour, count(*) AS reminded,
              count(*) FILTER (WHERE i.paid_at > r.first_at) AS paid_after
         FROM ${cohort}
         JOIN LATERAL (SELECT min(d.created_at) AS first_at FROM deliveries d
                        WHERE d.invoice_id = i.id AND d.purpose = 'reminder') r ON r.first_at IS NOT NULL
        GROUP BY 1`,
    );

    const [invoiceRows, paymentRows, deliveryRows, reminderRows] = options.parallel
      ? await Promise.all([invoiceCounts(), paymentCounts(), deliveryCounts(), reminderCounts()])
      : [
          await invoiceCounts(),
          await paymentCounts(),
          await deliveryCounts(),
          await reminderCounts(),
        ];

    const byHour = new Map<string, Counters>();
    const add = (at: Date | null, key: string, value: number) => {
      if (value === 0) return;
      const hourKey = at?.toISOString() ?? 'all';
      const counters = byHour.get(hourKey) ?? {};
      counters[key] = (counters[key] ?? 0) + value;
      byHour.set(hourKey, counters);
    };
    for (const row of invoiceRows) {
      if (!row.by_bucket) {
        add(row.hour, 'invoices', Number(row.n));
        add(row.hour, `state:${row.state}`, Number(row.n));
        add(row.hour, 'sent', Number(row.sent));
        add(row.hour, 'paid', Number(row.paid));
        add(row.hour, 'ttp.count', Number(row.ttp_count));
        add(row.hour, 'ttp.sum', Number(row.ttp_sum ?? 0));
      } else if (row.bucket !== null) {
        add(row.hour, `ttp.bucket:${row.bucket}`, Number(row.n));
      }
    }
    for (const row of paymentRows) {
      add(row.hour, `payment:${row.status}|${row.outcome ?? ''}`, Number(row.n));
    }
    for (const row of deliveryRows) {
      add(row.hour, `delivery:${row.purpose}|${row.via ?? ''}`, Number(row.n));
    }
    for (const row of reminderRows) {
      add(row.hour, 'reminded', Number(row.reminded));
      add(row.hour, 'paidAfterReminder', Number(row.paid_after));
    }
    return byHour;
  }
}
