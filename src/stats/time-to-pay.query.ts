import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import type { OpenRange } from './stats-counters';

/** Seconds from sending an invoice to its payment. */
const TTP = `extract(epoch FROM i.paid_at - i.sent_at)`;

function periodConditions(period: OpenRange, params: unknown[]): string {
  const conditions: string[] = [];
  if (period.start) {
    params.push(period.start);
    conditions.push(`i.created_at >= $${params.length}::timestamptz`);
  }
  if (period.end) {
    params.push(period.end);
    conditions.push(`i.created_at < $${params.length}::timestamptz`);
  }
  return conditions.map((c) => ` AND ${c}`).join('');
}

/** Time to pay of the paid invoices created in a period, for the summary's median. */
@Injectable()
export class TimeToPayQuery {
  /** Sorts the period: exact, and fast for one merchant's invoices. */
  async median(tx: EntityManager, period: OpenRange, merchantId?: string): Promise<number | null> {
    const params: unknown[] = [];
    let merchant = '';
    if (merchantId) {
      params.push(merchantId);
      merchant = ` AND i.merchant_id = $1::uuid`;
    }
    const [row] = await queryRows<{ median: number | null }>(
      tx,
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ${TTP}) AS median
         FROM invoices i
        WHERE i.paid_at IS NOT NULL AND i.sent_at IS NOT NULL${merchant}${periodConditions(period, params)}`,
      params,
    );
    return row?.median ?? null;
  }

  /**
   * The lower middle value and the one after it, in ascending order: `offset` values past the
   * floor of histogram `bucket` (medianPosition), read from `invoices_time_to_pay_idx`. Fewer
   * than two when invoices were paid since the histogram was counted.
   */
  async middlePair(
    tx: EntityManager,
    period: OpenRange,
    position: { bucket: number; offset: number },
  ): Promise<number[]> {
    const params: unknown[] = [position.offset];
    let floor = '';
    if (position.bucket > 0) {
      params.push(position.bucket);
      floor = ` AND ${TTP} >= (stats_ttp_thresholds())[$2::int]`;
    }
    const rows = await queryRows<{ s: string }>(
      tx,
      `SELECT ${TTP} AS s FROM invoices i
        WHERE i.paid_at IS NOT NULL AND i.sent_at IS NOT NULL${floor}${periodConditions(period, params)}
        ORDER BY ${TTP} OFFSET $1 LIMIT 2`,
      params,
    );
    return rows.map((row) => Number(row.s));
  }
}
