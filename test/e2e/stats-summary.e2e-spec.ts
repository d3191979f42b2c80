import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AdminModule } from '../../src/admin/admin.module';
import { INVOICE_STATES } from '../../src/machines/invoice.machine';
import { StatsModule } from '../../src/stats/stats.module';
import { createTestApp, type TestApp } from '../utils/create-app';

/**
 * A hand-computed fixture under a fresh merchant (other test files' rows never match its id):
 *
 * | inv | state          | created    | sent | paid (s after sent) | payments                         | deliveries                           |
 * | I1  | READY          | 2026-10-01 | –    | –                   | –                                | –                                    |
 * | I2  | SENT           | 2026-10-02 | yes  | –                   | pending                          | invoice wa, reminder wa              |
 * | I3  | PAID           | 2026-10-03 | yes  | 100                 | failed wrong_pin, succeeded paid | invoice wa, receipt (ignored)        |
 * | I4  | PAID           | 2026-10-04 | yes  | 200                 | succeeded paid                   | invoice sms, reminder sms at +100    |
 * | I5  | PAID           | 2026-10-05 | yes  | 600                 | succeeded paid                   | invoice wa, reminder wa at +700      |
 * | I6  | FAILED         | 2026-10-06 | yes  | –                   | failed cancelled, failed timeout | invoice sms, reminder in flight      |
 * | I7  | PARTIALLY_PAID | 2026-10-07 | yes  | –                   | succeeded paid                   | invoice wa                           |
 * | I8  | CANCELLED      | 2026-11-05 | yes  | –                   | –                                | invoice FAILED                       |
 */
describe('GET /stats/summary', () => {
  let t: TestApp;
  let db: Client;
  let merchantId: string;
  let adminKey: string;
  const tag = randomBytes(4).toString('hex');

  const get = (query: string, auth: string | null = adminKey) =>
    fetch(`${t.url}/stats/summary${query}`, {
      headers: auth === null ? {} : { authorization: `Bearer ${auth}` },
    });

  beforeAll(async () => {
    t = await createTestApp({}, { imports: [StatsModule, AdminModule] });
    adminKey = t.config.adminApiKey;
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();

    const phoneDigits = String(Date.now()).slice(-8);
    const merchant = await db.query<{ id: string }>(
      `INSERT INTO merchants (display_name, whatsapp_phone) VALUES ($1, $2) RETURNING id`,
      [`Stats ${tag}`, `+2547${phoneDigits}`],
    );
    merchantId = merchant.rows[0]!.id;
    const customer = await db.query<{ id: string }>(
      `INSERT INTO customers (merchant_id, name, phone) VALUES ($1, 'Stats customer', '+254711000111') RETURNING id`,
      [merchantId],
    );
    const customerId = customer.rows[0]!.id;

    const invoice = async (
      n: number,
      state: string,
      created: string,
      sent: boolean,
      paidAfter: number | null,
    ): Promise<string> => {
      const createdAt = new Date(created);
      const sentAt = sent ? new Date(createdAt.getTime() + 60_000) : null;
      const paidAt =
        sentAt && paidAfter !== null ? new Date(sentAt.getTime() + paidAfter * 1000) : null;
      const row = await db.query<{ id: string }>(
        `INSERT INTO invoices (ref, merchant_id, customer_id, customer_phone, amount, description,
                               pay_token, state, sent_at, paid_at, created_at)
         VALUES ($1, $2, $3, '+254711000111', 1000, 'Stats fixture', $4, $5, $6, $7, $8) RETURNING id`,
        [
          `ST-${tag}-${n}`,
          merchantId,
          customerId,
          `st-${tag}-${n}`,
          state,
          sentAt,
          paidAt,
          createdAt,
        ],
      );
      return row.rows[0]!.id;
    };
    const i2 = await invoice(2, 'SENT', '2026-10-02T08:00:00Z', true, null);
    await invoice(1, 'READY', '2026-10-01T08:00:00Z', false, null);
    const i3 = await invoice(3, 'PAID', '2026-10-03T08:00:00Z', true, 100);
    const i4 = await invoice(4, 'PAID', '2026-10-04T08:00:00Z', true, 200);
    const i5 = await invoice(5, 'PAID', '2026-10-05T08:00:00Z', true, 600);
    const i6 = await invoice(6, 'FAILED', '2026-10-06T08:00:00Z', true, null);
    const i7 = await invoice(7, 'PARTIALLY_PAID', '2026-10-07T08:00:00Z', true, null);
    const i8 = await invoice(8, 'CANCELLED', '2026-11-05T08:00:00Z', true, null);

    const payment = (invoiceId: string, attempt: number, status: string, outcome: string | null) =>
      db.query(
        `INSERT INTO payments (invoice_id, attempt, phone, amount, status, outcome)
         VALUES ($1, $2, '+254711000111', 1000, $3, $4)`,
        [invoiceId, attempt, status, outcome],
      );
    await payment(i2, 1, 'pending', null);
    await payment(i3, 1, 'failed', 'wrong_pin');
    await payment(i3, 2, 'succeeded', 'paid');
    await payment(i4, 1, 'succeeded', 'paid');
    await payment(i5, 1, 'succeeded', 'paid');
    await payment(i6, 1, 'failed', 'cancelled');
    await payment(i6, 2, 'failed', 'timeout');
    await payment(i7, 1, 'succeeded', 'paid');

    let d = 0;
    const delivery = async (
      invoiceId: string,
      purpose: string,
      via: string | null,
      state: string,
      secondsAfterSent = 0,
    ) => {
      d += 1;
      await db.query(
        `INSERT INTO deliveries (idempotency_key, purpose, recipient, invoice_id, channel_policy, payload,
                                 delivered_via, state, created_at)
         SELECT $1, $2, '+254711000111', i.id, 'auto', '{}'::jsonb, $3, $4,
                i.sent_at + make_interval(secs => $5)
           FROM invoices i WHERE i.id = $6`,
        [`stats-${tag}-${d}`, purpose, via, state, secondsAfterSent, invoiceId],
      );
    };
    await delivery(i2, 'invoice', 'whatsapp', 'DELIVERED');
    await delivery(i2, 'reminder', 'whatsapp', 'DELIVERED', 3600);
    await delivery(i3, 'invoice', 'whatsapp', 'DELIVERED');
    await delivery(i3, 'receipt', 'whatsapp', 'DELIVERED', 200);
    await delivery(i4, 'invoice', 'sms', 'SMS_SENT');
    await delivery(i4, 'reminder', 'sms', 'SMS_SENT', 100);
    await delivery(i5, 'invoice', 'whatsapp', 'DELIVERED');
    await delivery(i5, 'reminder', 'whatsapp', 'DELIVERED', 700);
    await delivery(i6, 'invoice', 'sms', 'SMS_SENT');
    await delivery(i6, 'reminder', null, 'WHATSAPP_PENDING', 3600);
    await delivery(i7, 'invoice', 'whatsapp', 'DELIVERED');
    await delivery(i8, 'invoice', null, 'FAILED');
  });

  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it('gives every figure of the fixture exactly', async () => {
    const res = await get(`?merchant=${merchantId}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      filters: { merchant: merchantId, from: null, to: null },
      invoices: {
        total: 8,
        // Every state is present, zero when no invoice is in it.
        byState: {
          ...Object.fromEntries(INVOICE_STATES.map((state) => [state, 0])),
          READY: 1,
          SENT: 1,
          PARTIALLY_PAID: 1,
          FAILED: 1,
          PAID: 3,
          CANCELLED: 1,
        },
        sent: 7,
        paid: 3,
        conversion: 3 / 7,
      },
      timeToPay: { count: 3, meanSeconds: 300, medianSeconds: 200 },
      payments: {
        attempts: 8,
        byStatus: { pending: 1, failed: 3, succeeded: 4 },
        byOutcome: { paid: 4, wrong_pin: 1, cancelled: 1, timeout: 1 },
        successRate: 4 / 7,
      },
      delivery: { total: 11, whatsapp: 6, sms: 3, failed: 1, inFlight: 1, smsShare: 3 / 9 },
      reminders: { sent: 4, invoicesReminded: 4, paidAfterReminder: 1 },
    });
  });

  it('filters by creation time, from inclusive and to exclusive', async () => {
    const res = await get(`?merchant=${merchantId}&from=2026-10-02T08:00:00Z&to=2026-11-01`);
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.filters).toEqual({
      merchant: merchantId,
      from: '2026-10-02T08:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
    });
    expect(body.invoices).toMatchObject({ total: 6, sent: 6, paid: 3, conversion: 0.5 });
    expect(body.invoices.byState).toMatchObject({ READY: 0, CANCELLED: 0, PAID: 3 });
    expect(body.delivery).toEqual({
      total: 10,
      whatsapp: 6,
      sms: 3,
      failed: 0,
      inFlight: 1,
      smsShare: 3 / 9,
    });
    expect(body.payments.attempts).toBe(8);
  });

  it('answers zeros and nulls for a merchant without invoices, and all merchants without a filter', async () => {
    const empty = await get('?merchant=00000000-0000-4000-8000-000000000000');
    expect(empty.status).toBe(200);
    const body: any = await empty.json();
    expect(body.invoices).toMatchObject({ total: 0, sent: 0, paid: 0, conversion: null });
    expect(body.timeToPay).toEqual({ count: 0, meanSeconds: null, medianSeconds: null });
    expect(body.payments.successRate).toBeNull();
    expect(body.delivery.smsShare).toBeNull();

    const all = await get('');
    expect(all.status).toBe(200);
    expect(((await all.json()) as any).invoices.total).toBeGreaterThanOrEqual(8);
  });

  it('needs the admin key: none or a wrong one is 401, a merchant key 403', async () => {
    expect((await get(`?merchant=${merchantId}`, null)).status).toBe(401);
    expect((await get(`?merchant=${merchantId}`, 'not-the-admin-key')).status).toBe(401);

    const created = await fetch(`${t.url}/admin/merchants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Nosy merchant', phone: `07${String(Date.now()).slice(-8)}` }),
    });
    expect(created.status).toBe(201);
    const { apiKey } = (await created.json()) as { apiKey: string };
    // A merchant key is a valid credential of the wrong kind.
    const asMerchant = await get(`?merchant=${merchantId}`, apiKey);
    expect(asMerchant.status).toBe(403);
    expect(JSON.stringify(await asMerchant.json())).not.toContain('"total"');
  });

  it.each([
    ['merchant=not-a-uuid', 'merchant'],
    ['from=yesterday', 'from'],
    ['to=2026-13-45', 'to'],
    ['from=2026-11-01&to=2026-10-01', 'to must be after from'],
    ['colour=blue', 'colour'],
  ])('rejects %s with 400', async (query, mentions) => {
    const res = await get(`?${query}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain(mentions);
  });
});
