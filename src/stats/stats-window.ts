import type { TimeRange } from './stats-counters';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** `null` bounds are open: the beginning or the end of time. */
export interface Bounds {
  start: Date | null;
  end: Date | null;
}

/**
 * How a period of invoice creation is read: whole UTC months from `stats_monthly`, whole days
 * at either side from `stats_daily`, whole hours beyond those from `stats_hourly`, and the
 * minutes before the first and after the last whole hour counted live.
 */
export interface WindowPlan {
  live: TimeRange[];
  /** Whole hours `[start, end)`, or null when the period holds none. */
  hours: Bounds | null;
  /** Whole days `[start, end)` inside `hours`, or null when it holds none. */
  days: Bounds | null;
  /** Whole calendar months `[start, end)` inside `days`, or null when it holds none. */
  months: Bounds | null;
}

const floorTo = (date: Date, unit: number) => new Date(Math.floor(date.getTime() / unit) * unit);
const floorMonth = (date: Date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
const ceilMonth = (date: Date) => {
  const floor = floorMonth(date);
  return floor.getTime() === date.getTime()
    ? floor
    : new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
};
const ceilTo = (date: Date, unit: number) => new Date(Math.ceil(date.getTime() / unit) * unit);
const before = (a: Date | null, b: Date | null) =>
  a === null || b === null || a.getTime() < b.getTime();

export function planWindow(from?: Date, to?: Date): WindowPlan {
  const hourStart = from ? ceilTo(from, HOUR) : null;
  const hourEnd = to ? floorTo(to, HOUR) : null;
  if (from && to && !before(hourStart, hourEnd)) {
    // Not one whole hour inside: a short period is cheap to count as it is.
    return { live: [{ start: from, end: to }], hours: null, days: null, months: null };
  }
  const live: TimeRange[] = [];
  if (from && hourStart && from.getTime() < hourStart.getTime()) {
    live.push({ start: from, end: hourStart });
  }
  if (to && hourEnd && hourEnd.getTime() < to.getTime()) live.push({ start: hourEnd, end: to });

  const dayStart = hourStart ? ceilTo(hourStart, DAY) : null;
  const dayEnd = hourEnd ? floorTo(hourEnd, DAY) : null;
  if (!before(dayStart, dayEnd)) {
    return { live, hours: { start: hourStart, end: hourEnd }, days: null, months: null };
  }
  const monthStart = dayStart ? ceilMonth(dayStart) : null;
  const monthEnd = dayEnd ? floorMonth(dayEnd) : null;
  return {
    live,
    hours: { start: hourStart, end: hourEnd },
    days: { start: dayStart, end: dayEnd },
    months: before(monthStart, monthEnd) ? { start: monthStart, end: monthEnd } : null,
  };
}

/** Joins touching or overlapping ranges so that each is scanned once. */
export function mergeRanges(ranges: TimeRange[]): TimeRange[] {
  const sorted = [...ranges].sort((a, b) => a.start.getTime() - b.start.getTime());
  const merged: TimeRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.start.getTime() <= last.end.getTime()) {
      if (range.end.getTime() > last.end.getTime()) last.end = range.end;
    } else {
      merged.push({ start: range.start, end: range.end });
    }
  }
  return merged;
}

export const hourRange = (hour: Date): TimeRange => ({
  start: hour,
  end: new Date(hour.getTime() + HOUR),
});
