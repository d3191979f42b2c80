import { INVOICE_STATES, type InvoiceState } from '../machines/invoice.machine';
import type { Counters } from './stats-counters';

export interface StatsSummary {
  filters: { merchant: string | null; from: string | null; to: string | null };
  invoices: {
    total: number;
    byState: Record<InvoiceState, number>;
    /** sent_at is set: a channel accepted the invoice. */
    sent: number;
    /** paid_at is set: the balance reached 0. */
    paid: number;
    /** Paid invoices among the sent ones ÷ sent (null when nothing was sent). */
    conversion: number | null;
  };
  timeToPay: { count: number; meanSeconds: number | null; medianSeconds: number | null };
  payments: {
    attempts: number;
    byStatus: Record<string, number>;
    /** M-PESA outcome of finished attempts (paid, cancelled, wrong_pin, …). */
    byOutcome: Record<string, number>;
    /** succeeded ÷ (succeeded + failed): attempts still open or in review do not count. */
    successRate: number | null;
  };
  delivery: {
    /** Deliveries that speak for an invoice: the invoice itself and its reminders. */
    total: number;
    whatsapp: number;
    sms: number;
    failed: number;
    inFlight: number;
    /** sms ÷ (whatsapp + sms): how much the SMS fallback carries. */
    smsShare: number | null;
  };
  reminders: {
    sent: number;
    invoicesReminded: number;
    /** Invoices paid after their first reminder was queued. */
    paidAfterReminder: number;
  };
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** The pairs under `prefix:` (`payment:<status>|<outcome>`, `delivery:<purpose>|<via>`). */
function pairs(counters: Counters, prefix: string): { a: string; b: string; n: number }[] {
  return Object.entries(counters)
    .filter(([key]) => key.startsWith(`${prefix}:`))
    .map(([key, n]) => {
      const [a = '', b = ''] = key.slice(prefix.length + 1).split('|');
      return { a, b, n };
    });
}

/** The time-to-pay histogram, lowest bucket first. */
export function ttpHistogram(counters: Counters): { bucket: number; n: number }[] {
  return Object.entries(counters)
    .filter(([key, n]) => key.startsWith('ttp.bucket:') && n > 0)
    .map(([key, n]) => ({ bucket: Number(key.slice('ttp.bucket:'.length)), n }))
    .sort((x, y) => x.bucket - y.bucket);
}

/**
 * Where the median sits: the bucket holding the lower middle value and that value's rank
 * among the bucket's values (0-based). With an even count the upper middle value is the next
 * one in time-to-pay order.
 */
export function medianPosition(counters: Counters): { bucket: number; offset: number } | null {
  const count = counters['ttp.count'] ?? 0;
  if (count <= 0) return null;
  const lowerMiddle = Math.floor((count - 1) / 2);
  let below = 0;
  for (const { bucket, n } of ttpHistogram(counters)) {
    if (below + n > lowerMiddle) return { bucket, offset: lowerMiddle - below };
    below += n;
  }
  return null;
}

export function summaryFromCounters(
  filters: StatsSummary['filters'],
  counters: Counters,
  medianSeconds: number | null,
): StatsSummary {
  const get = (key: string) => counters[key] ?? 0;
  const byState = Object.fromEntries(INVOICE_STATES.map((s) => [s, get(`state:${s}`)])) as Record<
    InvoiceState,
    number
  >;
  const sent = get('sent');
  const ttpCount = get('ttp.count');

  const byStatus: Record<string, number> = {};
  const byOutcome: Record<string, number> = {};
  let attempts = 0;
  for (const { a: status, b: outcome, n } of pairs(counters, 'payment')) {
    attempts += n;
    byStatus[status] = (byStatus[status] ?? 0) + n;
    if (outcome) byOutcome[outcome] = (byOutcome[outcome] ?? 0) + n;
  }
  const succeeded = byStatus.succeeded ?? 0;

  const deliveries = pairs(counters, 'delivery');
  const via = (channel: string) =>
    deliveries.filter((d) => d.b === channel).reduce((sum, d) => sum + d.n, 0);
  const total = deliveries.reduce((sum, d) => sum + d.n, 0);
  const whatsapp = via('whatsapp');
  const sms = via('sms');
  const failed = via('failed');

  return {
    filters,
    invoices: {
      total: get('invoices'),
      byState,
      sent,
      paid: get('paid'),
      // Paid among the sent: exactly the invoices with a time to pay.
      conversion: ratio(ttpCount, sent),
    },
    timeToPay: {
      count: ttpCount,
      meanSeconds: ttpCount ? get('ttp.sum') / ttpCount : null,
      medianSeconds: ttpCount ? medianSeconds : null,
    },
    payments: {
      attempts,
      byStatus,
      byOutcome,
      successRate: ratio(succeeded, succeeded + (byStatus.failed ?? 0)),
    },
    delivery: {
      total,
      whatsapp,
      sms,
      failed,
      inFlight: total - whatsapp - sms - failed,
      smsShare: ratio(sms, whatsapp + sms),
    },
    reminders: {
      sent: deliveries.filter((d) => d.a === 'reminder').reduce((sum, d) => sum + d.n, 0),
      invoicesReminded: get('reminded'),
      paidAfterReminder: get('paidAfterReminder'),
    },
  };
}
