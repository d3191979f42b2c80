import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import { addCounters, type Counters } from './stats-counters';

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

/** `[start, end)` of each level, as timestamptz text ('-infinity'/'infinity' for open ends). */
export interface RollupBounds {
  hours: [string, string];
  days: [string, string];
  months: [string, string];
}

/**
 * The rollup of migration StatsRollup, one aggregate over four tables: `stats_hourly`,
 * `stats_daily` and `stats_monthly` hold the figures (Counters) of the invoices created in each
 * UTC hour, day and month; `stats_dirty_hours` marks the hours whose invoices changed since
 * (written by a trigger on invoices, cleared here).
 */
@Injectable()
export class StatsRollupRepository {
  /** One refresh at a time: false when another transaction holds the refresh lock. */
  async tryLockRefresh(tx: EntityManager): Promise<boolean> {
    const [lock] = await queryRows<{ locked: boolean }>(
      tx,
      `SELECT pg_try_advisory_xact_lock($1) AS locked`,
      [REFRESH_LOCK],
    );
    return !!lock?.locked;
  }

  /** For the rest of the transaction: a refresh runs hundreds of small index scans, and compiling them costs more than running them. */
  async withoutJit(tx: EntityManager): Promise<void> {
    await tx.query(`SET LOCAL jit = off`);
  }

  /**
   * Deletes the marks of the oldest `limit` dirty hours and returns those hours: a recount in
   * the same transaction sees every change the deleted marks stood for.
   */
  async claimDirtyHours(tx: EntityManager, limit: number): Promise<Date[]> {
    const rows = await queryRows<{ hour: Date }>(
      tx,
      `WITH batch AS (SELECT DISTINCT hour FROM stats_dirty_hours ORDER BY hour LIMIT $1),
            gone AS (DELETE FROM stats_dirty_hours d USING batch b WHERE d.hour = b.hour
                     RETURNING d.hour)
       SELECT DISTINCT hour FROM gone ORDER BY hour`,
      [limit],
    );
    return rows.map((row) => row.hour);
  }

  async hasDirtyHours(tx: EntityManager): Promise<boolean> {
    const [row] = await queryRows<{ more: boolean }>(
      tx,
      `SELECT EXISTS (SELECT 1 FROM stats_dirty_hours) AS more`,
    );
    return !!row?.more;
  }

  /** The dirty hours in `[from, to)` (timestamptz text; open ends as '-infinity'/'infinity'). */
  async dirtyHoursBetween(tx: EntityManager, from: string, to: string): Promise<Date[]> {
    const rows = await queryRows<{ hour: Date }>(
      tx,
      `SELECT DISTINCT hour FROM stats_dirty_hours
        WHERE hour >= $1::timestamptz AND hour < $2::timestamptz ORDER BY hour`,
      [from, to],
    );
    return rows.map((row) => row.hour);
  }

  /** Replaces the stored figures of `hours`; an hour without figures (no invoices) is dropped. */
  async replaceHours(
    tx: EntityManager,
    hours: Date[],
    figures: Map<string, Counters>,
  ): Promise<void> {
    await tx.query(`DELETE FROM stats_hourly WHERE hour = ANY($1::timestamptz[])`, [hours]);
    if (figures.size === 0) return;
    const entries = [...figures.entries()];
    await tx.query(
      `INSERT INTO stats_hourly (hour, figures)
       SELECT h, f FROM unnest($1::timestamptz[], $2::jsonb[]) AS t(h, f)`,
      [entries.map(([hour]) => hour), entries.map(([, counters]) => JSON.stringify(counters))],
    );
  }

  /** Re-adds the days holding `hours` from their hours; returns those days. */
  sumDays(tx: EntityManager, hours: Date[]): Promise<Date[]> {
    return this.sumLevel(tx, hours, DAY_LEVEL);
  }

  /** Re-adds the months holding `days` from their days; returns those months. */
  sumMonths(tx: EntityManager, days: Date[]): Promise<Date[]> {
    return this.sumLevel(tx, days, MONTH_LEVEL);
  }

  private async sumLevel(tx: EntityManager, changed: Date[], level: Level): Promise<Date[]> {
    const { unit, table, lower, lowerColumn, reach } = level;
    const upper = (
      await queryRows<{ at: Date }>(
        tx,
        `SELECT DISTINCT date_trunc('${unit}', t, 'UTC') AS at FROM unnest($1::timestamptz[]) AS t`,
        [changed],
      )
    ).map((row) => row.at);
    await tx.query(`DELETE FROM ${table} WHERE ${unit} = ANY($1::timestamptz[])`, [upper]);
    await tx.query(
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

  /**
   * The sum of the stored figures of the whole months, days and hours in `bounds`, leaving out
   * the `dirty` hours, days and months; a dirty hour's day is read from its clean hours and a
   * dirty day's month from its clean days instead. Also how many rows were added up.
   */
  async sumFigures(
    tx: EntityManager,
    bounds: RollupBounds,
    dirty: { hours: Date[]; days: Date[]; months: Date[] },
  ): Promise<{ counters: Counters; rowsRead: number }> {
    const rows = await queryRows<{ figures: Counters }>(
      tx,
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
      [...bounds.hours, ...bounds.days, ...bounds.months, dirty.hours, dirty.days, dirty.months],
    );
    const counters: Counters = {};
    for (const row of rows) addCounters(counters, row.figures);
    return { counters, rowsRead: rows.length };
  }
}
