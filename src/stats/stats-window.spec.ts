import { mergeRanges, planWindow } from './stats-window';

const at = (iso: string) => new Date(iso);

describe('planWindow', () => {
  it('reads everything from the rollup without bounds', () => {
    expect(planWindow()).toEqual({
      live: [],
      hours: { start: null, end: null },
      days: { start: null, end: null },
      months: { start: null, end: null },
    });
  });

  it('reads whole days from stats_daily when the period is date-aligned', () => {
    expect(planWindow(at('2026-11-01'), at('2026-11-08'))).toEqual({
      live: [],
      hours: { start: at('2026-11-01'), end: at('2026-11-08') },
      days: { start: at('2026-11-01'), end: at('2026-11-08') },
      months: null,
    });
  });

  it('reads whole calendar months from stats_monthly, and the days around them', () => {
    expect(planWindow(at('2026-01-20'), at('2026-04-03T10:00:00Z'))).toEqual({
      live: [],
      hours: { start: at('2026-01-20'), end: at('2026-04-03T10:00:00Z') },
      days: { start: at('2026-01-20'), end: at('2026-04-03') },
      months: { start: at('2026-02-01'), end: at('2026-04-01') },
    });
    expect(planWindow(undefined, at('2026-03-15')).months).toEqual({
      start: null,
      end: at('2026-03-01'),
    });
    // December to January, across the year.
    expect(planWindow(at('2025-12-01'), at('2026-01-01')).months).toEqual({
      start: at('2025-12-01'),
      end: at('2026-01-01'),
    });
    expect(planWindow(at('2026-02-02'), at('2026-03-01')).months).toBeNull();
  });

  it('counts the minutes outside whole hours live, and the hours outside whole days hourly', () => {
    // Nairobi days (UTC+3) start at 21:00 UTC: whole hours, not whole UTC days.
    expect(planWindow(at('2026-10-31T21:00:00Z'), at('2026-11-02T21:30:00Z'))).toEqual({
      live: [{ start: at('2026-11-02T21:00:00Z'), end: at('2026-11-02T21:30:00Z') }],
      hours: { start: at('2026-10-31T21:00:00Z'), end: at('2026-11-02T21:00:00Z') },
      days: { start: at('2026-11-01'), end: at('2026-11-02') },
      months: null,
    });
    expect(planWindow(at('2026-11-01T10:15:00Z'))).toEqual({
      live: [{ start: at('2026-11-01T10:15:00Z'), end: at('2026-11-01T11:00:00Z') }],
      hours: { start: at('2026-11-01T11:00:00Z'), end: null },
      days: { start: at('2026-11-02'), end: null },
      months: { start: at('2026-12-01'), end: null },
    });
  });

  it('has no days when the whole hours do not span one', () => {
    expect(planWindow(at('2026-11-01T10:00:00Z'), at('2026-11-02T09:00:00Z')).days).toBeNull();
  });

  it('counts a period without one whole hour inside entirely live', () => {
    const from = at('2026-11-01T10:30:00Z');
    const to = at('2026-11-01T11:15:00Z');
    expect(planWindow(from, to)).toEqual({
      live: [{ start: from, end: to }],
      hours: null,
      days: null,
      months: null,
    });
    expect(planWindow(from, at('2026-11-01T10:45:00Z')).hours).toBeNull();
  });
});

describe('mergeRanges', () => {
  it('joins touching and overlapping ranges, in order', () => {
    const r = (a: string, b: string) => ({ start: at(a), end: at(b) });
    expect(
      mergeRanges([
        r('2026-11-01T12:00:00Z', '2026-11-01T13:00:00Z'),
        r('2026-11-01T10:00:00Z', '2026-11-01T11:00:00Z'),
        r('2026-11-01T11:00:00Z', '2026-11-01T12:00:00Z'),
        r('2026-11-01T15:00:00Z', '2026-11-01T16:00:00Z'),
        r('2026-11-01T15:30:00Z', '2026-11-01T15:45:00Z'),
      ]),
    ).toEqual([
      r('2026-11-01T10:00:00Z', '2026-11-01T13:00:00Z'),
      r('2026-11-01T15:00:00Z', '2026-11-01T16:00:00Z'),
    ]);
  });
});
