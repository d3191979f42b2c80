/**
 * The additive figures of a set of invoices (and their payments and deliveries), as a flat map
 * so that hours add up to days and days to any period. Keys:
 *
 * - `invoices`, `state:<STATE>`, `sent`, `paid`;
 * - `ttp.count` (sent and paid), `ttp.sum` (seconds), `ttp.bucket:<n>` (n from
 *   `width_bucket(seconds, stats_ttp_thresholds())`);
 * - `payment:<status>|<outcome>` (outcome empty while open);
 * - `delivery:<purpose>|<whatsapp|sms|failed>` (last part empty while in flight);
 * - `reminded`, `paidAfterReminder`.
 */
export type Counters = Record<string, number>;

/** `[start, end)` of invoice creation time. */
export interface TimeRange {
  start: Date;
  end: Date;
}

/** A range whose `null` ends are open (the beginning or the end of time). */
export interface OpenRange {
  start: Date | null;
  end: Date | null;
}

export function addCounters(into: Counters, more: Counters): Counters {
  for (const [key, value] of Object.entries(more)) into[key] = (into[key] ?? 0) + value;
  return into;
}
