import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import { addCounters, type Counters, countByHour } from './stats-counters';
import { type Bounds, hourRange, type WindowPlan } from './stats-window';

/** Key of the transaction-scoped advisory lock that keeps refreshes one at a time. */
const REFRESH_LOCK = 4_207_311_001;

interface Level {
  unit: 'day' | 'month';
  table: 'stats_daily' | 'stats_monthly';
  lower: 'stats_hourly' | 'stats_daily';
  lowerColumn: 'hour' | 'day';
  /**
   * How far past its start the level below is searched. Only narrows the index scan, so it is
   * loose (a session time zone with daylight saving shifts interval arithmetic); date_trunc
   * in UTC decides what belongs.
   */
  reach: string;
}
const DAY_LEVEL: Level = {
  unit: 'day',
  table: 'stats_daily',
  lower: 'stats_hourly',
  lowerColumn: 'hour',
  reach: '25 hours',
};
const MONTH_LEVEL: Level = {
  unit: 'month',
  table: 'stats_monthly',
  lower: 'stats_daily',
  lowerColumn: 'day',
  reach: '1 month 1 day',
};
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

/**
 * Keeps `stats_hourly` and `stats_daily` (migration StatsRollup) in step with the invoices, and
 * reads them for a period. A refresh claims the oldest dirty hours, counts them again and
 * re-adds their days, all in one transaction; the marks it deletes are exactly those its
 * recount can see.
 */
@Injectable()
export class StatsRollupService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async refresh(batchHours = DEFAULT_BATCH_HOURS): Promise<RefreshResult> {
    return this.dataSource.transaction(async (manager) => {
      const [lock] = await queryRows<{ locked: boolean }>(
        manager,
        `SELECT pg_try_advisory_xact_lock($1) AS locked`,
        [REFRESH_LOCK],
      );
      if (!lock?.locked) return { ran: false, hours: 0, days: 0, months: 0, remaining: true };
      // Hundreds of small index scans: compiling them costs more than running them.
      await manager.query(`SET LOCAL jit = off`);

      const claimed = await queryRows<{ hour: Date }>(
        manager,
        `WITH batch AS (SELECT DISTINCT hour FROM stats_dirty_hours ORDER BY hour LIMIT $1),
              gone AS (DELETE FROM stats_dirty_hours d USING batch b WHERE d.hour = b.hour
                       RETURNING d.hour)
         SELECT DISTINCT hour FROM gone ORDER BY hour`,
        [batchHours],
      );
      if (claimed.length === 0)
        return { ran: true, hours: 0, days: 0, months: 0, remaining: false };
      const hours = claimed.map((row) => row.hour);

      const counted = await countByHour(manager, hours.map(hourRange), {
        parallel: false,
        perHour: true,
      });
      await manager.query(`DELETE FROM stats_hourly WHERE hour = ANY($1::timestamptz[])`, [hours]);
      if (counted.size > 0) {
        const entries = [...counted.entries()];
        await manager.query(
          `INSERT INTO stats_hourly (hour, figures)
           SELECT h, f FROM unnest($1::timestamptz[], $2::jsonb[]) AS t(h, f)`,
          [entries.map(([hour]) => hour), entries.map(([, figures]) => JSON.stringify(figures))],
        );
      }

      // Each day, then each month, is the sum of the level below.
      const days = await this.sumLevel(manager, hours, DAY_LEVEL);
      const months = await this.sumLevel(manager, days, MONTH_LEVEL);
      const [left] = await queryRows<{ more: boolean }>(
        manager,
        `SELECT EXISTS (SELECT 1 FROM stats_dirty_hours) AS more`,
      );
      return {
        ran: true,
        hours: hours.length,
        days: days.length,
        months: months.length,
        remaining: !!left?.more,
      };
    });
  }

  /** Re-adds the rows of `level` (days or months) that hold `changed` rows of the level below. */
  private async sumLevel(manager: EntityManager, changed: Date[], level: Level): Promise<Date[]> {
    const { unit, table, lower, lowerColumn, reach } = level;
    const upper = (
      await queryRows<{ at: Date }>(
        manager,
        `SELECT DISTINCT date_trunc('${unit}', t, 'UTC') AS at FROM unnest($1::timestamptz[]) AS t`,
        [changed],
      )
    ).map((row) => row.at);
    await manager.query(`DELETE FROM ${table} WHERE ${unit} = ANY($1::timestamptz[])`, [upper]);
    await manager.query(
      `INSERT INTO ${table} (${unit}, figures)
       SELECT at, jsonb_object_agg(key, total)
         FROM (SELECT u.at, f.key, sum(f.value::numeric) AS total
                 FROM unnest($1::timestamptz[]) AS u(at)
                 JOIN ${lower} l ON l.${lowerColumn} >= u.at AND l.${lowerColumn} < u.at + interval '${reach}'
                  AND date_trunc('${unit}', l.${lowerColumn}, 'UTC') = u.at
                 CROSS JOIN LATERAL jsonb_each_text(l.figures) AS f(key, value)
                GROUP BY u.at, f.key) per_key
        GROUP BY at`,
      [upper],
    );
    return upper;
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
    const hoursFrom = bound(plan.hours.start, '-infinity');
    const hoursTo = bound(plan.hours.end, 'infinity');
    const dirtyHours = (
      await queryRows<{ hour: Date }>(
        this.dataSource,
        `SELECT DISTINCT hour FROM stats_dirty_hours
          WHERE hour >= $1::timestamptz AND hour < $2::timestamptz ORDER BY hour`,
        [hoursFrom, hoursTo],
      )
    ).map((row) => row.hour);
    const dirtyDays = unique(dirtyHours.map(floorDay));
    const dirtyMonths = unique(dirtyHours.map(floorMonth));
    // An absent level is an empty range: 'infinity' to 'infinity'.
    const range = (level: Bounds | null) =>
      level
        ? [bound(level.start, '-infinity'), bound(level.end, 'infinity')]
        : ['infinity', 'infinity'];
    const rows = await queryRows<{ figures: Counters }>(
      this.dataSource,
      `SELECT figures FROM stats_monthly
        WHERE month >= $5::timestamptz AND month < $6::timestamptz
          AND month <> ALL($9::timestamptz[])
       UNION ALL
       SELECT figures FROM stats_daily
        WHERE day >= $3::timestamptz AND day < $4::timestamptz
          AND (day < $5::timestamptz OR day >= $6::timestamptz
               OR date_trunc('month', day, 'UTC') = ANY($9::timestamptz[]))
          AND day <> ALL($8::timestamptz[])
       UNION ALL
       SELECT figures FROM stats_hourly
        WHERE hour >= $1::timestamptz AND hour < $2::timestamptz
          AND (hour < $3::timestamptz OR hour >= $4::timestamptz
               OR date_trunc('day', hour, 'UTC') = ANY($8::timestamptz[]))
          AND hour <> ALL($7::timestamptz[])`,
      [
        hoursFrom,
        hoursTo,
        ...range(plan.days),
        ...range(plan.months),
        dirtyHours,
        dirtyDays,
        dirtyMonths,
      ],
    );
    const counters: Counters = {};
    for (const row of rows) addCounters(counters, row.figures);
    return { counters, dirtyHours, rowsRead: rows.length };
  }
}
