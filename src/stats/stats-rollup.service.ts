import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InvoiceCohortQuery } from './invoice-cohort.query';
import type { Counters } from './stats-counters';
import { type RollupBounds, StatsRollupRepository } from './stats-rollup.repository';
import { type Bounds, hourRange, type WindowPlan } from './stats-window';

const DEFAULT_BATCH_HOURS = 500;

export interface RefreshResult {
  /** False when another refresh held the lock and this one did nothing. */
  ran: boolean;
  hours: number;
  days: number;
  months: number;
  /** Dirty hours left for the next batch. */
  remaining: boolean;
}

export interface RollupRead {
  counters: Counters;
  /** Hours inside the plan whose rollup is stale: they must be counted live. */
  dirtyHours: Date[];
  rowsRead: number;
}

const bound = (date: Date | null, open: '-infinity' | 'infinity'): string =>
  date ? date.toISOString() : open;
const floorDay = (date: Date) => new Date(Math.floor(date.getTime() / 86_400_000) * 86_400_000);
const floorMonth = (date: Date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
const unique = (dates: Date[]) => [...new Map(dates.map((d) => [d.getTime(), d])).values()];
/** An absent level is an empty range: 'infinity' to 'infinity'. */
const range = (level: Bounds | null): [string, string] =>
  level
    ? [bound(level.start, '-infinity'), bound(level.end, 'infinity')]
    : ['infinity', 'infinity'];

/**
 * Keeps `stats_hourly` and `stats_daily` (migration StatsRollup) in step with the invoices, and
 * reads them for a period. A refresh claims the oldest dirty hours, counts them again and
 * re-adds their days, all in one transaction; the marks it deletes are exactly those its
 * recount can see.
 */
@Injectable()
export class StatsRollupService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rollup: StatsRollupRepository,
    private readonly cohort: InvoiceCohortQuery,
  ) {}

  async refresh(batchHours = DEFAULT_BATCH_HOURS): Promise<RefreshResult> {
    return this.dataSource.transaction(async (tx) => {
      if (!(await this.rollup.tryLockRefresh(tx))) {
        return { ran: false, hours: 0, days: 0, months: 0, remaining: true };
      }
      await this.rollup.withoutJit(tx);

      const hours = await this.rollup.claimDirtyHours(tx, batchHours);
      if (hours.length === 0) return { ran: true, hours: 0, days: 0, months: 0, remaining: false };

      const counted = await this.cohort.countByHour(tx, hours.map(hourRange), {
        parallel: false,
        perHour: true,
      });
      await this.rollup.replaceHours(tx, hours, counted);

      // Each day, then each month, is the sum of the level below.
      const days = await this.rollup.sumDays(tx, hours);
      const months = await this.rollup.sumMonths(tx, days);
      return {
        ran: true,
        hours: hours.length,
        days: days.length,
        months: months.length,
        remaining: await this.rollup.hasDirtyHours(tx),
      };
    });
  }

  /** Refreshes batch after batch until no dirty hour is left (or another refresh holds the lock). */
  async refreshAll(batchHours = DEFAULT_BATCH_HOURS): Promise<{ hours: number; batches: number }> {
    let hours = 0;
    let batches = 0;
    for (;;) {
      const result = await this.refresh(batchHours);
      if (!result.ran) return { hours, batches };
      hours += result.hours;
      batches += result.hours > 0 ? 1 : 0;
      if (!result.remaining) return { hours, batches };
    }
  }

  /**
   * The stored counters of the plan's whole months, days and hours, leaving out every hour
   * that is dirty, and reading a dirty hour's day and month from the level below instead:
   * the caller counts the dirty hours live. The dirty marks are read first; a refresh that
   * commits in between only makes the rollup fresher for hours counted live anyway.
   */
  async read(plan: WindowPlan): Promise<RollupRead> {
    if (!plan.hours) return { counters: {}, dirtyHours: [], rowsRead: 0 };
    const tx = this.dataSource.manager;
    const bounds: RollupBounds = {
      hours: range(plan.hours),
      days: range(plan.days),
      months: range(plan.months),
    };
    const dirtyHours = await this.rollup.dirtyHoursBetween(tx, ...bounds.hours);
    const { counters, rowsRead } = await this.rollup.sumFigures(tx, bounds, {
      hours: dirtyHours,
      days: unique(dirtyHours.map(floorDay)),
      months: unique(dirtyHours.map(floorMonth)),
    });
    return { counters, dirtyHours, rowsRead };
  }
}
