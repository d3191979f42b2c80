/**
 * When an invoice's automatic reminders go out. Pure: the invoice machine arms them as
 * database timers once the invoice first reaches the customer.
 *
 * - With a due date: 3 days before, on the day and 3 days after, at 09:00 Nairobi time.
 * - Without: 24 and 72 hours after the invoice was delivered.
 * A merchant can change the offsets or turn reminders off (merchants.reminder_settings).
 * Reminders are at least a day apart, and none comes within a day of the invoice itself.
 */
export interface ReminderPlan {
  /** Absolute times (ISO), for invoices with a due date. */
  at: string[];
  /** Delays after the first delivery, for invoices without one. */
  afterDeliveryMs: number[];
}

export interface ReminderSettings {
  enabled?: boolean;
  /** Days relative to the due date, e.g. [-3, 0, 3]. */
  dueDateOffsetsDays?: number[];
  /** Hours after delivery, e.g. [24, 72]. */
  afterDeliveryHours?: number[];
}

export const DEFAULT_REMINDERS: Required<ReminderSettings> = {
  enabled: true,
  dueDateOffsetsDays: [-3, 0, 3],
  afterDeliveryHours: [24, 72],
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 09:00 in Nairobi (UTC+3, no daylight saving) is 06:00 UTC. */
const NINE_AM_NAIROBI_UTC_HOURS = 6;

const numbers = (value: unknown): number[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v))
    ? (value as number[])
    : undefined;

/** Reads merchants.reminder_settings defensively: anything malformed falls back to the defaults. */
export function reminderSettingsFrom(raw: unknown): Required<ReminderSettings> {
  const value = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    enabled: typeof value.enabled === 'boolean' ? value.enabled : DEFAULT_REMINDERS.enabled,
    dueDateOffsetsDays: numbers(value.dueDateOffsetsDays) ?? DEFAULT_REMINDERS.dueDateOffsetsDays,
    afterDeliveryHours: numbers(value.afterDeliveryHours) ?? DEFAULT_REMINDERS.afterDeliveryHours,
  };
}

/** Keeps times at least a day after `from` and a day apart from each other. */
function spaced(times: number[], from: number): number[] {
  const out: number[] = [];
  for (const time of [...times].sort((a, b) => a - b)) {
    const previous = out.at(-1) ?? from;
    if (time - previous >= DAY) out.push(time);
  }
  return out;
}

export function reminderPlan(input: {
  dueDate: string | null;
  createdAt: Date;
  settings: Required<ReminderSettings>;
}): ReminderPlan {
  const { dueDate, createdAt, settings } = input;
  if (!settings.enabled) return { at: [], afterDeliveryMs: [] };
  if (dueDate) {
    const [y, m, d] = dueDate.split('-').map(Number) as [number, number, number];
    const due = Date.UTC(y, m - 1, d, NINE_AM_NAIROBI_UTC_HOURS);
    const times = settings.dueDateOffsetsDays.map((days) => due + days * DAY);
    return {
      at: spaced(times, createdAt.getTime()).map((t) => new Date(t).toISOString()),
      afterDeliveryMs: [],
    };
  }
  const delays = spaced(
    settings.afterDeliveryHours.map((h) => h * HOUR),
    0,
  );
  return { at: [], afterDeliveryMs: delays };
}

/**
 * When an unpaid invoice with a due date expires: the end of its due day in Nairobi plus the
 * grace period. Without a due date, or with expiry off, never.
 */
export function expiryTime(dueDate: string | null, graceDays: number | null): string | null {
  if (!dueDate || graceDays === null) return null;
  const [y, m, d] = dueDate.split('-').map(Number) as [number, number, number];
  // Midnight at the end of the due day in Nairobi (UTC+3) is 21:00 UTC that day.
  return new Date(Date.UTC(y, m - 1, d, 21) + graceDays * DAY).toISOString();
}
