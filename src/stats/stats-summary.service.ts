import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InvoiceCohortQuery } from './invoice-cohort.query';
import { addCounters, type Counters, type OpenRange } from './stats-counters';
import { medianPosition, type StatsSummary, summaryFromCounters } from './stats-figures';
import type { Period } from './stats-period';
import { StatsRollupService } from './stats-rollup.service';
import { hourRange, mergeRanges, planWindow } from './stats-window';
import { TimeToPayQuery } from './time-to-pay.query';

export type { StatsSummary } from './stats-figures';

export interface StatsFilter extends Period {
  merchantId?: string;
}

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
    private readonly cohort: InvoiceCohortQuery,
    private readonly timeToPay: TimeToPayQuery,
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
    const counted = await this.cohort.countByHour(this.dataSource.manager, ranges, {
      merchantId,
      parallel: true,
      perHour: false,
    });
    return counted.get('all') ?? {};
  }

  private percentileMedian(period: OpenRange, merchantId?: string): Promise<number | null> {
    return this.timeToPay.median(this.dataSource.manager, period, merchantId);
  }

  /**
   * The exact median of a platform-wide period without sorting it: the histogram gives the
   * bucket of the lower middle value and its rank there, and the time-to-pay index is read
   * from the bucket's floor.
   */
  private async platformMedian(counters: Counters, period: OpenRange): Promise<number | null> {
    const position = medianPosition(counters);
    if (!position) return null;
    const [lower, upper] = await this.timeToPay.middlePair(
      this.dataSource.manager,
      period,
      position,
    );
    const even = (counters['ttp.count'] ?? 0) % 2 === 0;
    if (lower === undefined || (even && upper === undefined)) {
      // Invoices were paid between the count and this read: sort the period instead.
      return this.percentileMedian(period);
    }
    return even && upper !== undefined ? (lower + upper) / 2 : lower;
  }
}
