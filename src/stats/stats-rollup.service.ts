import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';
import { addCounters, type Counters, countByHour } from './stats-counters';
import { type Bounds, hourRange, type WindowPlan } from './stats-window';

/** Key of the transaction-scoped advisory lock that keeps refreshes one at a time. */
const REFRESH_LOCK = 4_207_311_001;
const DEFAULT_BATCH_HOURS = 500;

export interface RefreshResult {
  /** False when another refresh held the lock and this one did nothing. */
  ran: boolean;
  hours: number;
  days: number;
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
      if (!lock?.locked) return { ran: false, hours: 0, days: 0, remaining: true };
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
      if (claimed.length === 0) return { ran: true, hours: 0, days: 0, remaining: false };
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

      const days = await queryRows<{ day: Date }>(
        manager,
        `SELECT DISTINCT date_trunc('day', h, 'UTC') AS day FROM unnest($1::timestamptz[]) AS h`,
        [hours],
      );
      const dayList = days.map((row) => row.day);
      await manager.query(`DELETE FROM stats_daily WHERE day = ANY($1::timestamptz[])`, [dayList]);
      await manager.query(
        `INSERT INTO stats_daily (day, figures)
         SELECT day, jsonb_object_agg(key, total)
           FROM (SELECT d.day, f.key, sum(f.value::numeric) AS total
                   FROM unnest($1::timestamptz[]) AS d(day)
                   JOIN stats_hourly h ON h.hour >= d.day AND h.hour < d.day + interval '24 hours'
                   CROSS JOIN LATERAL jsonb_each_text(h.figures) AS f(key, value)
                  GROUP BY d.day, f.key) per_key
          GROUP BY day`,
        [dayList],
      );
      const [left] = await queryRows<{ more: boolean }>(
        manager,
        `SELECT EXISTS (SELECT 1 FROM stats_dirty_hours) AS more`,
      );
      return { ran: true, hours: hours.length, days: dayList.length, remaining: !!left?.more };
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
   * The stored counters of the plan's whole days and hours, leaving out every hour that is
   * dirty (and, for the days, every day holding one): those the caller counts live. One
   * statement, so the dirty marks and the rollup rows come from the same snapshot.
   */
  async read(plan: WindowPlan): Promise<RollupRead> {
    if (!plan.hours) return { counters: {}, dirtyHours: [], rowsRead: 0 };
    const hours: Bounds = plan.hours;
    const days: Bounds | null = plan.days;
    const rows = await queryRows<{ kind: 'dirty' | 'day' | 'hour'; at: Date; figures: Counters }>(
      this.dataSource,
      `WITH dirty AS (
         SELECT DISTINCT hour FROM stats_dirty_hours
          WHERE hour >= $1::timestamptz AND hour < $2::timestamptz
       ), dirty_days AS (
         SELECT DISTINCT date_trunc('day', hour, 'UTC') AS day FROM dirty
       )
       SELECT 'dirty' AS kind, hour AS at, NULL::jsonb AS figures FROM dirty
       UNION ALL
       SELECT 'day', d.day, d.figures FROM stats_daily d
        WHERE $5 AND d.day >= $3::timestamptz AND d.day < $4::timestamptz
          AND d.day NOT IN (SELECT day FROM dirty_days)
       UNION ALL
       SELECT 'hour', h.hour, h.figures FROM stats_hourly h
        WHERE h.hour >= $1::timestamptz AND h.hour < $2::timestamptz
          AND h.hour NOT IN (SELECT hour FROM dirty)
          AND (NOT $5 OR h.hour < $3::timestamptz OR h.hour >= $4::timestamptz
               OR date_trunc('day', h.hour, 'UTC') IN (SELECT day FROM dirty_days))`,
      [
        bound(hours.start, '-infinity'),
        bound(hours.end, 'infinity'),
        // Without whole days, an empty day range: every hour comes from stats_hourly.
        days ? bound(days.start, '-infinity') : 'infinity',
        days ? bound(days.end, 'infinity') : 'infinity',
        days !== null,
      ],
    );
    const counters: Counters = {};
    const dirtyHours: Date[] = [];
    for (const row of rows) {
      if (row.kind === 'dirty') dirtyHours.push(row.at);
      else addCounters(counters, row.figures);
    }
    return { counters, dirtyHours, rowsRead: rows.length - dirtyHours.length };
  }
}
