import { medianPosition, summaryFromCounters } from './stats-figures';

describe('medianPosition', () => {
  it('finds the bucket and rank of the lower middle value', () => {
    // Sorted values: b2 b2 | b5 b5 b5 | b9  → 6 values, lower middle is the 3rd (rank 2).
    const counters = { 'ttp.count': 6, 'ttp.bucket:2': 2, 'ttp.bucket:5': 3, 'ttp.bucket:9': 1 };
    expect(medianPosition(counters)).toEqual({ bucket: 5, offset: 0 });
    expect(medianPosition({ ...counters, 'ttp.count': 5, 'ttp.bucket:9': 0 })).toEqual({
      bucket: 5,
      offset: 0,
    });
    expect(medianPosition({ 'ttp.count': 1, 'ttp.bucket:0': 1 })).toEqual({ bucket: 0, offset: 0 });
    // Numeric, not lexical, bucket order.
    expect(
      medianPosition({ 'ttp.count': 3, 'ttp.bucket:10': 1, 'ttp.bucket:9': 1, 'ttp.bucket:11': 1 }),
    ).toEqual({ bucket: 10, offset: 0 });
    expect(medianPosition({ 'ttp.count': 4, 'ttp.bucket:7': 4 })).toEqual({ bucket: 7, offset: 1 });
  });

  it('is null without a time to pay', () => {
    expect(medianPosition({})).toBeNull();
    expect(medianPosition({ 'ttp.count': 0 })).toBeNull();
  });
});

describe('summaryFromCounters', () => {
  it('derives every figure from the counters', () => {
    const summary = summaryFromCounters(
      { merchant: null, from: null, to: null },
      {
        invoices: 4,
        'state:PAID': 2,
        'state:SENT': 1,
        'state:READY': 1,
        sent: 3,
        paid: 2,
        'ttp.count': 2,
        'ttp.sum': 300,
        'payment:succeeded|paid': 2,
        'payment:failed|cancelled': 1,
        'payment:pending|': 1,
        'delivery:invoice|whatsapp': 2,
        'delivery:invoice|sms': 1,
        'delivery:reminder|failed': 1,
        'delivery:reminder|': 1,
        reminded: 2,
        paidAfterReminder: 1,
      },
      150,
    );
    expect(summary).toEqual({
      filters: { merchant: null, from: null, to: null },
      invoices: {
        total: 4,
        byState: {
          READY: 1,
          SENT: 1,
          PAYMENT_INIT: 0,
          PARTIALLY_PAID: 0,
          FAILED: 0,
          PAID: 2,
          CANCELLED: 0,
          EXPIRED: 0,
        },
        sent: 3,
        paid: 2,
        conversion: 2 / 3,
      },
      timeToPay: { count: 2, meanSeconds: 150, medianSeconds: 150 },
      payments: {
        attempts: 4,
        byStatus: { succeeded: 2, failed: 1, pending: 1 },
        byOutcome: { paid: 2, cancelled: 1 },
        successRate: 2 / 3,
      },
      delivery: { total: 5, whatsapp: 2, sms: 1, failed: 1, inFlight: 1, smsShare: 1 / 3 },
      reminders: { sent: 2, invoicesReminded: 2, paidAfterReminder: 1 },
    });
  });

  it('answers zeros and nulls for no invoices', () => {
    const summary = summaryFromCounters({ merchant: null, from: null, to: null }, {}, null);
    expect(summary.invoices.conversion).toBeNull();
    expect(summary.timeToPay).toEqual({ count: 0, meanSeconds: null, medianSeconds: null });
    expect(summary.payments).toEqual({
      attempts: 0,
      byStatus: {},
      byOutcome: {},
      successRate: null,
    });
    expect(summary.delivery.smsShare).toBeNull();
  });
});
