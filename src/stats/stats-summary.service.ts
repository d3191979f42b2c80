import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';
import { addCounters, type Counters, countByHour, type OpenRange } from './stats-counters';
import { medianPosition, type StatsSummary, summaryFromCounters } from './stats-figures';
import type { Period } from './stats-period';
import { StatsRollupService } from './stats-rollup.service';
import { hourRange, mergeRanges, planWindow } from './stats-window';

export type { StatsSummary } from './stats-figures';

export interface StatsFilter extends Period {
  merchantId?: string;
}

const TTP = `extract(epoch FROM i.paid_at - i.sent_at)`;

/**
 * The summary is a cohort view: invoices picked by merchant and creation time, then what
 * happened to them (payments, deliveries, reminders).
 *
 * - One merchant: counted live; the covering indexes of migration ReportingIndexes read a
 *   merchant's invoices without heap access.
 * - The whole platform: whole days and hours come from the rollup (migration StatsRollup),
 *   and only the minutes at the edges and hours marked dirty since the last refresh are
 *   counted live. The figures are the same either way, the median included: it is found
 *   from the time-to-pay histogram and read exactly from `invoices_time_to_pay_idx`.
 */
@Injectable()
export class StatsSummaryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rollup: StatsRollupService,
  ) {}

  async summary(filter: StatsFilter, options: { live?: boolean } = {}): Promise<StatsSummary> {
    const filters = {
      merchant: filter.merchantId ?? null,
      from: filter.from?.toISOString() ?? null,
      to: filter.to?.toISOString() ?? null,
    };
    const period: OpenRange = { start: filter.from ?? null, end: filter.to ?? null };

    if (filter.merchantId || options.live) {
      const [counters, median] = await Promise.all([
        this.countLive([period], filter.merchantId),
        this.percentileMedian(period, filter.merchantId),
      ]);
      return summaryFromCounters(filters, counters, median);
    }

    const plan = planWindow(filter.from, filter.to);
    const stored = await this.rollup.read(plan);
    const live = mergeRanges([...plan.live, ...stored.dirtyHours.map(hourRange)]);
    const counters = live.length
      ? addCounters(stored.counters, await this.countLive(live))
      : stored.counters;
    return summaryFromCounters(filters, counters, await this.platformMedian(counters, period));
  }

  private async countLive(ranges: OpenRange[], merchantId?: string): Promise<Counters> {
    const counted = await countByHour(this.dataSource, ranges, {
      merchantId,
      parallel: true,
      perHour: false,
    });
    return counted.get('all') ?? {};
  }

  private periodConditions(period: OpenRange, params: unknown[]): string {
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

  private async percentileMedian(period: OpenRange, merchantId?: string): Promise<number | null> {
    const params: unknown[] = [];
    let merchant = '';
    if (merchantId) {
      params.push(merchantId);
      merchant = ` AND i.merchant_id = $1::uuid`;
    }
    const [row] = await queryRows<{ median: number | null }>(
      this.dataSource,
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ${TTP}) AS median
         FROM invoices i
        WHERE i.paid_at IS NOT NULL AND i.sent_at IS NOT NULL${merchant}${this.periodConditions(period, params)}`,
      params,
    );
    return row?.median ?? null;
  }

  /**
   * The exact median of a platform-wide period without sorting it: the histogram gives the
   * bucket of the lower middle value and its rank there, and the time-to-pay index is read
   * from the bucket's floor.
   */
  private async platformMedian(counters: Counters, period: OpenRange): Promise<number | null> {
    const position = medianPosition(counters);
    if (!position) return null;
    const params: unknown[] = [position.offset];
    let floor = '';
    if (position.bucket > 0) {
      params.push(position.bucket);
      floor = ` AND ${TTP} >= (stats_ttp_thresholds())[$2::int]`;
    }
    const rows = await queryRows<{ s: string }>(
      this.dataSource,
      `SELECT ${TTP} AS s FROM invoices i
        WHERE i.paid_at IS NOT NULL AND i.sent_at IS NOT NULL${floor}${this.periodConditions(period, params)}
        ORDER BY ${TTP} OFFSET $1 LIMIT 2`,
      params,
    );
    const even = (counters['ttp.count'] ?? 0) % 2 === 0;
    const [lower, upper] = rows.map((row) => Number(row.s));
    if (lower === undefined || (even && upper === undefined)) {
      // Invoices were paid between the count and this read: sort the period instead.
      return this.percentileMedian(period);
    }
    return even && upper !== undefined ? (lower + upper) / 2 : lower;
  }
}
