import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { StatsRollupJob } from '../../src/stats/stats-rollup.job';
import { StatsRollupService } from '../../src/stats/stats-rollup.service';
import { type StatsFilter, StatsSummaryService } from '../../src/stats/stats-summary.service';
import { StatsModule } from '../../src/stats/stats.module';
import { planWindow } from '../../src/stats/stats-window';
import { createTestApp, type TestApp } from '../utils/create-app';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Deterministic, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/**
 * The platform-wide summary reads whole days and hours from the rollup and counts the rest
 * live. Whatever the split, it must give exactly what counting everything live gives. The
 * generated invoices live in a period of their own (a random day in 2033) so other test
 * files' rows never fall inside the windows compared here.
 */
describe('stats rollup', () => {
  let t: TestApp;
  let db: Client;
  let rollup: StatsRollupService;
  let stats: StatsSummaryService;
  let merchantId: string;
  let customerId: string;
  const tag = randomBytes(4).toString('hex');
  const base = new Date(Date.UTC(2033, 0, 1) + Math.floor(Math.random() * 300) * DAY);
  const at = (ms: number) => new Date(base.getTime() + ms);
  let n = 0;

  const insertInvoice = async (fields: {
    createdAt: Date;
    state: string;
    sentAt?: Date | null;
    paidAt?: Date | null;
  }): Promise<string> => {
    n += 1;
    const row = await db.query<{ id: string }>(
      `INSERT INTO invoices (ref, merchant_id, customer_id, customer_phone, amount, description,
                             pay_token, state, sent_at, paid_at, created_at)
       VALUES ($1, $2, $3, '+254711000222', 1000, 'Rollup fixture', $4, $5, $6, $7, $8) RETURNING id`,
      [
        `RU-${tag}-${n}`,
        merchantId,
        customerId,
        `ru-${tag}-${n}`,
        fields.state,
        fields.sentAt ?? null,
        fields.paidAt ?? null,
        fields.createdAt,
      ],
    );
    return row.rows[0]!.id;
  };
  const insertPayment = (
    invoiceId: string,
    attempt: number,
    status: string,
    outcome: string | null,
  ) =>
    db.query(
      `INSERT INTO payments (invoice_id, attempt, phone, amount, status, outcome)
       VALUES ($1, $2, '+254711000222', 1000, $3, $4)`,
      [invoiceId, attempt, status, outcome],
    );
  const insertDelivery = async (
    invoiceId: string,
    purpose: string,
    via: string | null,
    state: string,
    createdAt: Date,
  ) => {
    n += 1;
    await db.query(
      `INSERT INTO deliveries (idempotency_key, purpose, recipient, invoice_id, channel_policy, payload,
                               delivered_via, state, created_at)
       VALUES ($1, $2, '+254711000222', $3, 'auto', '{}'::jsonb, $4, $5, $6)`,
      [`rollup-${tag}-${n}`, purpose, invoiceId, via, state, createdAt],
    );
  };

  /** The rollup answer and the all-live answer for one filter; the mean is a float sum. */
  const expectSameAsLive = async (filter: StatsFilter) => {
    const viaRollup = await stats.summary(filter);
    const live = await stats.summary(filter, { live: true });
    expect(viaRollup.timeToPay.meanSeconds ?? 0).toBeCloseTo(live.timeToPay.meanSeconds ?? 0, 6);
    const withoutMean = (s: typeof live) => ({
      ...s,
      timeToPay: { ...s.timeToPay, meanSeconds: s.timeToPay.meanSeconds === null },
    });
    expect(withoutMean(viaRollup)).toEqual(withoutMean(live));
    return viaRollup;
  };

  const dirtyMarks = async (hour: Date): Promise<number> =>
    Number(
      (
        await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM stats_dirty_hours WHERE hour = $1`,
          [hour],
        )
      ).rows[0]!.n,
    );
  const hourOf = (date: Date) => new Date(Math.floor(date.getTime() / HOUR) * HOUR);

  beforeAll(async () => {
    // The refreshes are the tests' to make: marks must stay until a test refreshes.
    t = await createTestApp({ STATS_ROLLUP_INTERVAL_SECONDS: '0' }, { imports: [StatsModule] });
    rollup = t.app.get(StatsRollupService);
    stats = t.app.get(StatsSummaryService);
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    const merchant = await db.query<{ id: string }>(
      `INSERT INTO merchants (display_name, whatsapp_phone) VALUES ($1, $2) RETURNING id`,
      [`Rollup ${tag}`, `+2547${String(Date.now()).slice(-8)}`],
    );
    merchantId = merchant.rows[0]!.id;
    const customer = await db.query<{ id: string }>(
      `INSERT INTO customers (merchant_id, name, phone) VALUES ($1, 'Rollup customer', '+254711000222') RETURNING id`,
      [merchantId],
    );
    customerId = customer.rows[0]!.id;

    // 150 invoices over three days, minute-aligned, with every kind of outcome.
    const random = lcg(7);
    const states = ['READY', 'SENT', 'PAYMENT_INIT', 'PARTIALLY_PAID', 'FAILED', 'PAID', 'PAID'];
    for (let i = 0; i < 150; i += 1) {
      const createdAt = at(Math.floor(random() * 3 * 24 * 60) * 60_000);
      const state = states[Math.floor(random() * states.length)]!;
      const sentAt = state === 'READY' ? null : new Date(createdAt.getTime() + 30_000);
      // Paid a few seconds to two days after sending; some at the same second, one before.
      const ttp = i === 0 ? -5 : [7, 7, 60, 61, 3_600][i % 5]! + Math.floor(random() * 172_800);
      const paidAt =
        state === 'PAID' && sentAt
          ? new Date(sentAt.getTime() + (i % 9 === 0 ? 7 : ttp) * 1000)
          : null;
      const id = await insertInvoice({ createdAt, state, sentAt, paidAt });
      if (state !== 'READY' && state !== 'SENT') {
        await insertPayment(
          id,
          1,
          state === 'FAILED' ? 'failed' : state === 'PAYMENT_INIT' ? 'pending' : 'succeeded',
          state === 'FAILED' ? 'cancelled' : state === 'PAYMENT_INIT' ? null : 'paid',
        );
      }
      if (sentAt) {
        const via = random() < 0.2 ? 'sms' : 'whatsapp';
        await insertDelivery(id, 'invoice', via, via === 'sms' ? 'SMS_SENT' : 'DELIVERED', sentAt);
        if (random() < 0.4) {
          const remindedAt = new Date(sentAt.getTime() + Math.floor(random() * 86_400) * 1000);
          await insertDelivery(
            id,
            'reminder',
            random() < 0.3 ? null : 'whatsapp',
            'WHATSAPP_PENDING',
            remindedAt,
          );
        }
        if (random() < 0.1) await insertDelivery(id, 'invoice', null, 'FAILED', sentAt);
      }
    }
  });

  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it('gives the live figures for every shape of period once refreshed, reading the rollup', async () => {
    // A thinner spread over 100 days, so that periods hold whole calendar months.
    for (let i = 0; i < 40; i += 1) {
      const createdAt = at(40 * DAY + i * 2.5 * DAY + i * 61_000);
      const sentAt = new Date(createdAt.getTime() + 60_000);
      const paid = i % 3 !== 0;
      const id = await insertInvoice({
        createdAt,
        state: paid ? 'PAID' : 'SENT',
        sentAt,
        paidAt: paid ? new Date(sentAt.getTime() + (100 + i * 997) * 1000) : null,
      });
      if (paid) await insertPayment(id, 1, 'succeeded', 'paid');
      await insertDelivery(id, 'invoice', i % 4 === 0 ? 'sms' : 'whatsapp', 'DELIVERED', sentAt);
    }
    await rollup.refreshAll();
    const windows: [Date | undefined, Date | undefined][] = [
      [at(0), at(3 * DAY)], // whole days
      [at(5 * HOUR), at(2 * DAY + 7 * HOUR)], // hours either side of a whole day
      [at(90 * 60_000), at(50 * HOUR + 17 * 60_000)], // minutes, hours and a day
      [at(10 * HOUR + 5 * 60_000), at(10 * HOUR + 50 * 60_000)], // inside one hour
      [at(23 * HOUR + 30 * 60_000), at(25 * HOUR + 10 * 60_000)], // across midnight
      [at(-DAY), at(4 * DAY)], // wider than the first three days
      [at(0), at(150 * DAY)], // whole months and the days around them
      [at(7 * HOUR + 59_000), at(149 * DAY + 5 * HOUR)], // every level and live minutes
      [at(DAY + 1), undefined], // open end
      [undefined, at(2 * DAY - 1)], // open start: other files' invoices too
      [undefined, undefined],
      [new Date('0001-01-01T00:00:00Z'), new Date('9999-12-31T23:59:59.999Z')], // the extremes
    ];
    for (const [from, to] of windows) {
      await expectSameAsLive({ from, to });
    }
    const stored = await rollup.read(planWindow(at(5 * HOUR), at(2 * DAY + 7 * HOUR)));
    expect(stored.dirtyHours).toEqual([]);
    // One whole day plus the 19 + 7 hours around it, where they have invoices.
    expect(stored.rowsRead).toBeGreaterThan(10);
    expect(stored.counters.invoices).toBeGreaterThan(0);

    // The spread period reads at least two whole months from stats_monthly.
    const spread = planWindow(at(0), at(150 * DAY));
    expect(spread.months).not.toBeNull();
    const months = await db.query(
      `SELECT month FROM stats_monthly WHERE month >= $1 AND month < $2`,
      [spread.months!.start, spread.months!.end],
    );
    expect(months.rowCount).toBeGreaterThanOrEqual(2);
  });

  it('counts a changed hour live until the next refresh stores it', async () => {
    await rollup.refreshAll();
    const createdAt = at(DAY + 13 * HOUR + 20 * 60_000);
    const hour = hourOf(createdAt);
    const window = { from: at(0), to: at(3 * DAY) };
    const before = await stats.summary(window);

    const id = await insertInvoice({ createdAt, state: 'SENT', sentAt: at(DAY + 14 * HOUR) });
    expect((await rollup.read(planWindow(window.from, window.to))).dirtyHours).toEqual([hour]);
    const afterInsert = await expectSameAsLive(window);
    // In a period of whole months the dirty hour's month and day are read a level lower.
    await expectSameAsLive({ from: at(0), to: at(150 * DAY) });
    await expectSameAsLive({ from: at(-40 * DAY) });
    expect(afterInsert.invoices.total).toBe(before.invoices.total + 1);
    expect(afterInsert.invoices.byState.SENT).toBe(before.invoices.byState.SENT + 1);

    await db.query(
      `UPDATE invoices SET state = 'PAID', paid_at = sent_at + interval '42 seconds' WHERE id = $1`,
      [id],
    );
    await insertPayment(id, 1, 'succeeded', 'paid');
    const afterPay = await expectSameAsLive(window);
    expect(afterPay.invoices.paid).toBe(before.invoices.paid + 1);
    expect(afterPay.payments.byOutcome.paid).toBe((before.payments.byOutcome.paid ?? 0) + 1);

    await t.app.get(StatsRollupJob).refresh();
    expect(await dirtyMarks(hour)).toBe(0);
    expect((await rollup.read(planWindow(window.from, window.to))).dirtyHours).toEqual([]);
    expect(await expectSameAsLive(window)).toEqual(afterPay);
  });

  it('marks an hour for what the summary reads, and not for other writes', async () => {
    await rollup.refreshAll();
    const createdAt = at(2 * DAY + 3 * HOUR + 1_000);
    const hour = hourOf(createdAt);
    const id = await insertInvoice({ createdAt, state: 'READY' });
    expect(await dirtyMarks(hour)).toBe(1);

    // Neither a masked phone nor a receipt changes a figure.
    await db.query(
      `UPDATE invoices SET customer_phone = '+2547******22', updated_at = now() WHERE id = $1`,
      [id],
    );
    await db.query(`UPDATE invoices SET state = 'READY' WHERE id = $1`, [id]);
    await insertDelivery(id, 'receipt', 'whatsapp', 'DELIVERED', createdAt);
    expect(await dirtyMarks(hour)).toBe(1);

    await db.query(`UPDATE invoices SET state = 'SENT', sent_at = $2 WHERE id = $1`, [
      id,
      createdAt,
    ]);
    expect(await dirtyMarks(hour)).toBe(2);
    await insertDelivery(id, 'invoice', null, 'WHATSAPP_PENDING', createdAt);
    expect(await dirtyMarks(hour)).toBe(3);
    // A delivery moving between in-flight states changes nothing counted; reaching a channel does.
    await db.query(
      `UPDATE deliveries SET state = 'SMS_PENDING' WHERE invoice_id = $1 AND purpose = 'invoice'`,
      [id],
    );
    expect(await dirtyMarks(hour)).toBe(3);
    await db.query(
      `UPDATE deliveries SET state = 'SMS_SENT', delivered_via = 'sms' WHERE invoice_id = $1 AND purpose = 'invoice'`,
      [id],
    );
    expect(await dirtyMarks(hour)).toBe(4);
    await insertPayment(id, 1, 'pending', null);
    await db.query(
      `UPDATE payments SET status = 'failed', outcome = 'wrong_pin' WHERE invoice_id = $1`,
      [id],
    );
    expect(await dirtyMarks(hour)).toBe(6);

    await rollup.refreshAll();
    expect(await dirtyMarks(hour)).toBe(0);
    await expectSameAsLive({ from: at(2 * DAY), to: at(3 * DAY) });
  });

  it('gives the exact median, odd and even, from the histogram and the index', async () => {
    // A day of its own with hand-picked times to pay (seconds), across buckets and inside one.
    const day = at(10 * DAY);
    const pay = async (ttp: number, minute: number) => {
      const sentAt = new Date(day.getTime() + minute * 60_000);
      await insertInvoice({
        createdAt: sentAt,
        state: 'PAID',
        sentAt,
        paidAt: new Date(sentAt.getTime() + ttp * 1000),
      });
    };
    for (const [i, ttp] of [90_000, 10, 3_600, 20, 7_200].entries()) await pay(ttp, i * 70);
    await rollup.refreshAll();
    const period = { from: day, to: new Date(day.getTime() + DAY) };
    const odd = await expectSameAsLive(period);
    expect(odd.timeToPay).toEqual({ count: 5, meanSeconds: 100_830 / 5, medianSeconds: 3_600 });

    await pay(5_000, 600);
    await rollup.refreshAll();
    const even = await expectSameAsLive(period);
    expect(even.timeToPay).toEqual({ count: 6, meanSeconds: 105_830 / 6, medianSeconds: 4_300 });

    // Two values in one bucket (3,600 and 3,700 both lie in [3,081, 3,852)).
    await pay(3_700, 700);
    await rollup.refreshAll();
    expect((await expectSameAsLive(period)).timeToPay.medianSeconds).toBe(3_700);
  });

  it('lets one refresh run at a time, and together they store every dirty hour once', async () => {
    for (let i = 0; i < 5; i += 1) {
      await insertInvoice({ createdAt: at(20 * DAY + i * HOUR), state: 'READY' });
    }
    const results = await Promise.all([rollup.refresh(), rollup.refresh(), rollup.refresh()]);
    const stored = results.reduce((sum, r) => sum + r.hours, 0);
    expect(stored).toBeGreaterThanOrEqual(5);
    await rollup.refreshAll();
    const [{ n: left }] = (
      await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM stats_dirty_hours WHERE hour >= $1 AND hour < $2`,
        [at(20 * DAY), at(21 * DAY)],
      )
    ).rows as [{ n: string }];
    expect(Number(left)).toBe(0);
    const hourly = await db.query(`SELECT hour FROM stats_hourly WHERE hour >= $1 AND hour < $2`, [
      at(20 * DAY),
      at(21 * DAY),
    ]);
    expect(hourly.rowCount).toBe(5);
    const summary = await expectSameAsLive({ from: at(20 * DAY), to: at(21 * DAY) });
    expect(summary.invoices.total).toBe(5);
  });

  it('answers the summary over HTTP from the rollup for a platform-wide period', async () => {
    const res = await fetch(
      `${t.url}/stats/summary?from=${at(0).toISOString()}&to=${at(3 * DAY).toISOString()}`,
      { headers: { authorization: `Bearer ${t.config.adminApiKey}` } },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Awaited<ReturnType<StatsSummaryService['summary']>>;
    const live = await stats.summary({ from: at(0), to: at(3 * DAY) }, { live: true });
    expect(body.timeToPay.meanSeconds).toBeCloseTo(live.timeToPay.meanSeconds!, 6);
    expect({ ...body, timeToPay: null }).toEqual({ ...live, timeToPay: null });
    expect(body.timeToPay.medianSeconds).toBe(live.timeToPay.medianSeconds);
    expect(body.invoices.total).toBeGreaterThan(150);
  });

  it('shows on /metrics how far the rollup is behind', async () => {
    const gauge = async (name: string): Promise<number> => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      if (!line) throw new Error(`${name} is not exposed`);
      return Number(line.split(' ')[1]);
    };
    await insertInvoice({ createdAt: at(30 * DAY + HOUR), state: 'READY' });
    await insertInvoice({ createdAt: at(30 * DAY + 5 * HOUR), state: 'READY' });
    expect(await gauge('invoiceiq_stats_rollup_dirty_hours')).toBeGreaterThanOrEqual(2);
    expect(await gauge('invoiceiq_stats_rollup_lag_seconds')).toBeGreaterThanOrEqual(0);
    await rollup.refreshAll();
    expect(await gauge('invoiceiq_stats_rollup_dirty_hours')).toBe(0);
    expect(await gauge('invoiceiq_stats_rollup_lag_seconds')).toBe(0);
  });
});
