import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OutboxHandlers } from '../../src/runtime/outbox-handlers';
import type { OutboxResult } from '../../src/runtime/outbox';
import { createTestApp, type TestApp } from '../utils/create-app';

/**
 * The operator API over the whole product: auth both ways, invoice search and timelines, the
 * invoice/payment/outbox actions, reconciliation and machine inspection.
 */
const ADMIN_KEY = 'admin-ops-e2e-key-0123456789abcdef';
const TEST_KIND = 'admin-ops-test.echo';
const mobile = (prefix: string) =>
  `+254${prefix}${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
const digits = (phone: string) => phone.replace(/\D/g, '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

@Injectable()
class EchoHandler {
  readonly seen: string[] = [];
  async handle(row: { id: string }): Promise<OutboxResult> {
    this.seen.push(String(row.id));
    return { status: 'done' };
  }
}

@Module({ providers: [EchoHandler] })
class EchoModule implements OnModuleInit {
  constructor(
    private readonly handlers: OutboxHandlers,
    private readonly echo: EchoHandler,
  ) {}
  onModuleInit(): void {
    this.handlers.register(TEST_KIND, this.echo);
  }
}

describe('admin operations API', () => {
  let t: TestApp;
  let db: DataSource;
  const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

  const waitFor = async <T>(
    what: string,
    probe: () => Promise<T | undefined | null | false>,
    ms = 20_000,
  ): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  const control = async (path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${t.url}/sandbox/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const newMerchant = async (): Promise<{ id: string; apiKey: string }> => {
    const res = await request(t.url)
      .post('/admin/merchants')
      .set(admin)
      .send({ name: 'Ops Test Traders', phone: mobile('71') })
      .expect(201);
    return { id: res.body.id, apiKey: res.body.apiKey };
  };
  const newInvoice = async (
    apiKey: string,
    customerPhone: string,
    amount = 1500,
  ): Promise<string> => {
    const res = await request(t.url)
      .post('/invoices')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ customerPhone, customerName: 'Wanjiru Ops', amount, description: 'Ops test' })
      .expect(201);
    return res.body.ref;
  };
  /** An invoice row straight in the table: no machine, no delivery. */
  const sqlInvoice = async (merchantId: string, state = 'SENT'): Promise<string> => {
    const [customer] = await db.query(
      `INSERT INTO customers (merchant_id, name, phone) VALUES ($1, 'Fixture', $2)
       ON CONFLICT (merchant_id, phone) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [merchantId, '+254722000111'],
    );
    const tag = randomUUID().slice(0, 8).toUpperCase();
    const [row] = await db.query(
      `INSERT INTO invoices (ref, merchant_id, customer_id, customer_phone, amount, description, pay_token, state)
       VALUES ($1, $2, $3, '+254722000111', 1000, 'Fixture', $4, $5) RETURNING id`,
      [`FX-${tag}`, merchantId, customer.id, `fx-${tag}-${randomUUID()}`, state],
    );
    return row.id;
  };

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_API_KEY: ADMIN_KEY }, { full: true, imports: [EchoModule] });
    db = t.app.get(DataSource);
  });
  afterAll(() => t?.close());

  describe('authentication', () => {
    const endpoints: [string, string][] = [
      ['get', '/admin/merchants'],
      ['post', `/admin/merchants/${randomUUID()}/rotate-key`],
      ['get', '/admin/invoices'],
      ['get', '/admin/invoices/INV-NOPE'],
      ['post', '/admin/invoices/INV-NOPE/resend'],
      ['post', '/admin/invoices/INV-NOPE/cancel'],
      ['post', `/admin/payments/${randomUUID()}/requery`],
      ['get', '/admin/outbox'],
      ['post', '/admin/outbox/1/retry'],
      ['get', '/admin/reconciliation'],
      ['get', '/admin/machines'],
      ['get', '/admin/machines/invoice'],
      ['get', `/admin/machines/invoice/${randomUUID()}`],
    ];

    it('401 without credentials or with an unknown key, 403 with a merchant key', async () => {
      const { apiKey } = await newMerchant();
      for (const [method, path] of endpoints) {
        const call = () =>
          method === 'get' ? request(t.url).get(path) : request(t.url).post(path);
        await call().expect(401);
        await call().set({ Authorization: 'Bearer not-a-key' }).expect(401);
        await call()
          .set({ Authorization: `Bearer ${ADMIN_KEY}x` })
          .expect(401);
        const forbidden = await call()
          .set({ Authorization: `Bearer ${apiKey}` })
          .expect(403);
        // A merchant key never reaches admin data.
        expect(forbidden.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
        expect(forbidden.body.items).toBeUndefined();
      }
    });

    it('the admin key on merchant endpoints is the wrong kind: 403', async () => {
      await request(t.url).get('/invoices').set(admin).expect(403);
      await request(t.url).get('/invoices').set({ Authorization: 'Bearer nope' }).expect(401);
      await request(t.url).get('/invoices').expect(401);
    });
  });

  it('rotate-key: the new key works once issued, the old one stops', async () => {
    const { id, apiKey } = await newMerchant();
    await request(t.url)
      .get('/invoices')
      .set({ Authorization: `Bearer ${apiKey}` })
      .expect(200);
    const res = await request(t.url)
      .post(`/admin/merchants/${id}/rotate-key`)
      .set(admin)
      .expect(200);
    expect(res.body).toMatchObject({ id, apiKey: expect.any(String) });
    expect(res.body.apiKey).not.toBe(apiKey);
    await request(t.url)
      .get('/invoices')
      .set({ Authorization: `Bearer ${apiKey}` })
      .expect(401);
    await request(t.url)
      .get('/invoices')
      .set({ Authorization: `Bearer ${res.body.apiKey}` })
      .expect(200);
    await request(t.url).post(`/admin/merchants/${randomUUID()}/rotate-key`).set(admin).expect(404);
    await request(t.url).post('/admin/merchants/not-a-uuid/rotate-key').set(admin).expect(404);
  });

  it('pages 250 invoices without duplicates or gaps, newest first, phones masked', async () => {
    const { id: merchantId } = await newMerchant();
    const phone = mobile('72');
    const [customer] = await db.query(
      `INSERT INTO customers (merchant_id, name, phone) VALUES ($1, 'Achieng Pager', $2) RETURNING id`,
      [merchantId, phone],
    );
    const tag = randomUUID().slice(0, 6).toUpperCase();
    // Three invoices share each timestamp: the id breaks the tie.
    await db.query(
      `INSERT INTO invoices (ref, merchant_id, customer_id, customer_phone, amount, description, pay_token, state, created_at)
       SELECT 'PG' || $3 || '-' || g, $1, $2, $4, 100 + g, 'Paging fixture', 'pg-' || $3 || '-' || g,
              CASE WHEN g % 2 = 0 THEN 'SENT' ELSE 'PAID' END,
              timestamptz '2025-06-01T00:00:00Z' + (g / 3) * interval '1 second'
         FROM generate_series(1, 250) AS g`,
      [merchantId, customer.id, tag, phone],
    );
    const expected: string[] = (
      await db.query(
        `SELECT ref FROM invoices WHERE merchant_id = $1 ORDER BY created_at DESC, id DESC`,
        [merchantId],
      )
    ).map((r: { ref: string }) => r.ref);
    expect(expected).toHaveLength(250);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(t.url)
        .get('/admin/invoices')
        .query({ merchant: merchantId, limit: 60, ...(cursor ? { cursor } : {}) })
        .set(admin)
        .expect(200);
      seen.push(...res.body.items.map((i: { ref: string }) => i.ref));
      expect(JSON.stringify(res.body)).not.toContain(digits(phone).slice(3));
      for (const item of res.body.items) expect(item.customerPhone).toMatch(/\*{4}/);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(5);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(250);

    // Default page size, filters and search.
    const first = await request(t.url)
      .get('/admin/invoices')
      .query({ merchant: merchantId })
      .set(admin);
    expect(first.body.items).toHaveLength(50);
    const paid = await request(t.url)
      .get('/admin/invoices')
      .query({ merchant: merchantId, status: 'paid', limit: 200 })
      .set(admin)
      .expect(200);
    expect(paid.body.items).toHaveLength(125);
    expect(paid.body.items.every((i: { state: string }) => i.state === 'PAID')).toBe(true);
    const byRef = await request(t.url)
      .get('/admin/invoices')
      .query({ q: `pg${tag}-12`.toLowerCase() })
      .set(admin)
      .expect(200);
    expect(byRef.body.items.map((i: { ref: string }) => i.ref).sort()).toEqual(
      [`PG${tag}-12`, ...Array.from({ length: 10 }, (_, k) => `PG${tag}-12${k}`)].sort(),
    );
    const byName = await request(t.url)
      .get('/admin/invoices')
      .query({ merchant: merchantId, q: 'achieng', limit: 200 })
      .set(admin)
      .expect(200);
    expect(byName.body.items).toHaveLength(200);
    const window = await request(t.url)
      .get('/admin/invoices')
      .query({ merchant: merchantId, from: '2025-06-01T00:00:10Z', to: '2025-06-01T00:00:20Z' })
      .set(admin)
      .expect(200);
    // created_at seconds 10..19 → g from 30 to 59.
    expect(window.body.items).toHaveLength(30);
  });

  it('refuses bad query parameters with 400 naming the field', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ status: 'BOGUS' }, /status/],
      [{ limit: '0' }, /limit/],
      [{ limit: 'abc' }, /limit/],
      [{ limit: '201' }, /limit/],
      [{ from: 'notadate' }, /from/],
      [{ to: 'yesterday' }, /to/],
      [{ cursor: 'garbage' }, /cursor/],
      [{ merchant: 'acme' }, /merchant/],
    ];
    for (const [query, field] of cases) {
      const res = await request(t.url).get('/admin/invoices').query(query).set(admin).expect(400);
      expect(JSON.stringify(res.body.message)).toMatch(field);
    }
    for (const [query, field] of [
      [{ status: 'BOGUS' }, /status/],
      [{ limit: '0' }, /limit/],
      [{ cursor: 'garbage' }, /cursor/],
    ] as [Record<string, string>, RegExp][]) {
      const res = await request(t.url).get('/admin/outbox').query(query).set(admin).expect(400);
      expect(JSON.stringify(res.body.message)).toMatch(field);
    }
  });

  it('the timeline of a paid invoice that fell back to SMS, in order; phones masked', async () => {
    const { apiKey } = await newMerchant();
    const customer = mobile('73');
    await control(`whatsapp/control/users/${digits(customer)}/settings`, { notOnWhatsApp: true });
    const ref = await newInvoice(apiKey, customer);
    await waitFor('the invoice by SMS', async () =>
      (await control(`africastalking/control/inbox/${encodeURIComponent(customer)}`)).messages.find(
        (m: { message: string }) => m.message.includes(ref),
      ),
    );
    await request(t.url)
      .post('/payments/stk/initiate')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ invoiceRef: ref })
      .expect(202);
    const body = await waitFor('the invoice to be paid', async () => {
      const res = await request(t.url).get(`/admin/invoices/${ref}`).set(admin).expect(200);
      return res.body.invoice.state === 'PAID' && res.body;
    });
    expect(JSON.stringify(body)).not.toContain(digits(customer).slice(3));
    const timeline: any[] = body.timeline;
    const ats = timeline.map((e) => e.at);
    expect([...ats].sort()).toEqual(ats);

    const waFailure = timeline.findIndex(
      (e) =>
        (e.type === 'message' && e.channel === 'whatsapp' && e.status === 'failed') ||
        (e.type === 'transition' && e.machine === 'delivery' && e.to === 'SMS_PENDING'),
    );
    const smsMessage = timeline.findIndex((e) => e.type === 'message' && e.channel === 'sms');
    const paymentRow = timeline.findIndex((e) => e.type === 'payment');
    const stkAccepted = timeline.findIndex(
      (e) => e.type === 'transition' && e.machine === 'invoice' && e.event === 'STK_ACCEPTED',
    );
    const paid = timeline.findIndex(
      (e) => e.type === 'transition' && e.machine === 'invoice' && e.to === 'PAID',
    );
    expect(waFailure).toBeGreaterThanOrEqual(0);
    expect(smsMessage).toBeGreaterThan(waFailure);
    expect(paymentRow).toBeGreaterThan(smsMessage);
    expect(stkAccepted).toBeGreaterThan(paymentRow);
    expect(paid).toBeGreaterThan(stkAccepted);
    const waMessage = timeline.find((e) => e.type === 'message' && e.channel === 'whatsapp');
    expect(waMessage).toMatchObject({ status: 'failed', errorCode: expect.any(String) });
    expect(timeline[smsMessage]).toMatchObject({ recipient: expect.stringMatching(/\*{4}/) });
    expect(timeline[paymentRow]).toMatchObject({
      status: 'succeeded',
      outcome: 'paid',
      resultCode: 0,
      resultDesc: expect.any(String),
      receipt: expect.stringMatching(/^[A-Z0-9]{10}$/),
      phone: expect.stringMatching(/\*{4}/),
    });
    expect(body.deliveries[0]).toMatchObject({ purpose: 'invoice', deliveredVia: 'sms' });

    // Paid: no reminder, no cancel.
    const resend = await request(t.url)
      .post(`/admin/invoices/${ref}/resend`)
      .set(admin)
      .expect(409);
    expect(resend.body.message).toMatch(/PAID/);
    await request(t.url).post(`/admin/invoices/${ref}/cancel`).set(admin).expect(409);
    await request(t.url).get('/admin/invoices/INV-DOESNOTEXIST').set(admin).expect(404);

    // Machine inspection of the same invoice.
    const machines = await request(t.url).get('/admin/machines').set(admin).expect(200);
    const invoiceKind = machines.body.items.find((m: { kind: string }) => m.kind === 'invoice');
    expect(invoiceKind).toMatchObject({ version: 1, table: 'invoices' });
    expect(invoiceKind.counts.PAID).toBeGreaterThanOrEqual(1);
    const described = await request(t.url).get('/admin/machines/invoice').set(admin).expect(200);
    expect(described.body.mermaid).toMatch(/^stateDiagram-v2/);
    expect(described.body.mermaid).toContain('PAYMENT_CONFIRMED');
    expect(described.body.definition).toMatchObject({
      states: expect.objectContaining({ PAID: expect.anything() }),
    });
    const instance = await request(t.url)
      .get(`/admin/machines/invoice/${body.invoice.id}`)
      .set(admin)
      .expect(200);
    expect(instance.body).toMatchObject({ state: 'PAID', snapshot: expect.any(Object) });
    expect(instance.body.transitions.map((x: { to: string }) => x.to)).toContain('PAID');
    const delivery = await request(t.url)
      .get(`/admin/machines/delivery/${body.deliveries[0].id}`)
      .set(admin)
      .expect(200);
    expect(JSON.stringify(delivery.body)).not.toContain(digits(customer).slice(3));
    await request(t.url).get('/admin/machines/nope').set(admin).expect(404);
    await request(t.url).get(`/admin/machines/invoice/${randomUUID()}`).set(admin).expect(404);
    await request(t.url).get('/admin/machines/invoice/not-a-uuid').set(admin).expect(404);
  });

  it('resend and cancel go through the invoice machine as admin', async () => {
    const { apiKey } = await newMerchant();
    const ref = await newInvoice(apiKey, mobile('74'));
    await request(t.url).post(`/admin/invoices/${ref}/resend`).set(admin).expect(202);
    // Let the resend go out first: a delivery queued for an invoice cancelled meanwhile is skipped.
    await waitFor('the reminder delivery', async () => {
      const res = await request(t.url).get(`/admin/invoices/${ref}`).set(admin);
      return (res.body.deliveries as { purpose: string }[] | undefined)?.some(
        (d) => d.purpose === 'reminder',
      );
    });
    const cancelled = await request(t.url)
      .post(`/admin/invoices/${ref.toLowerCase()}/cancel`)
      .set(admin)
      .expect(200);
    expect(cancelled.body).toMatchObject({ ref, state: 'CANCELLED' });
    const again = await request(t.url).post(`/admin/invoices/${ref}/cancel`).set(admin).expect(409);
    expect(again.body).toMatchObject({ code: 'not_cancellable' });
    await request(t.url).post(`/admin/invoices/${ref}/resend`).set(admin).expect(409);
    const { body } = await request(t.url).get(`/admin/invoices/${ref}`).set(admin).expect(200);
    // The resend is a second delivery (a reminder); the WhatsApp fallback wait is a timer.
    expect(body.deliveries.map((d: { purpose: string }) => d.purpose)).toEqual(
      expect.arrayContaining(['invoice', 'reminder']),
    );
    await waitFor('the fallback timer', async () => {
      const res = await request(t.url).get(`/admin/invoices/${ref}`).set(admin);
      return res.body.timeline.find(
        (e: any) => e.type === 'timer' && e.event?.type === 'FALLBACK_TIMEOUT' && e.dueAt,
      );
    });
    const adminEvents = body.timeline
      .filter((e: any) => e.type === 'transition' && e.source === 'admin')
      .map((e: any) => [e.event, e.accepted]);
    expect(adminEvents).toEqual([
      ['REMIND', true],
      ['CANCEL', true],
      ['CANCEL', false],
      ['REMIND', false],
    ]);
    await request(t.url).post('/admin/invoices/INV-NOPE/cancel').set(admin).expect(404);
  });

  it('requery asks M-PESA now and applies the answer like a callback', async () => {
    const { id: merchantId, apiKey } = await newMerchant();
    const customer = mobile('75');
    const ref = await newInvoice(apiKey, customer, 700);
    // The prompt succeeds at once but M-PESA never calls back; polling waits 20 s.
    await control('daraja/control/next-outcome', {
      outcome: 'no_callback',
      phone: customer,
      delayMs: 0,
    });
    const started = await request(t.url)
      .post('/payments/stk/initiate')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ invoiceRef: ref })
      .expect(202);
    const paymentId = started.body.paymentId;
    await waitFor('the push to be acknowledged', async () => {
      const [row] = await db.query(`SELECT checkout_request_id FROM payments WHERE id = $1`, [
        paymentId,
      ]);
      return row?.checkout_request_id;
    });
    await sleep(300);
    const res = await request(t.url)
      .post(`/admin/payments/${paymentId}/requery`)
      .set(admin)
      .expect(200);
    expect(res.body.query).toMatchObject({ status: 'final', resultCode: 0 });
    expect(res.body.payment).toMatchObject({ id: paymentId, status: 'succeeded', outcome: 'paid' });
    expect(res.body.payment.phone).toMatch(/\*{4}/);
    const { body } = await request(t.url).get(`/admin/invoices/${ref}`).set(admin).expect(200);
    expect(body.invoice.state).toBe('PAID');
    expect(body.timeline).toContainEqual(
      expect.objectContaining({ type: 'transition', event: 'PAYMENT_CONFIRMED', source: 'admin' }),
    );
    const final = await request(t.url)
      .post(`/admin/payments/${paymentId}/requery`)
      .set(admin)
      .expect(409);
    expect(final.body).toMatchObject({ code: 'payment_final' });

    // A push M-PESA never acknowledged has nothing to query.
    const invoiceId = await sqlInvoice(merchantId);
    const [open] = await db.query(
      `INSERT INTO payments (invoice_id, attempt, phone, amount, status) VALUES ($1, 1, '+254722000111', 1000, 'pending') RETURNING id`,
      [invoiceId],
    );
    const none = await request(t.url)
      .post(`/admin/payments/${open.id}/requery`)
      .set(admin)
      .expect(409);
    expect(none.body).toMatchObject({ code: 'no_checkout_id' });
    await request(t.url).post(`/admin/payments/${randomUUID()}/requery`).set(admin).expect(404);
  });

  describe('a payment held for review (M-PESA confirmed another amount)', () => {
    /** An invoice of `amount` whose STK push M-PESA confirms for `reported` instead. */
    const heldPayment = async (amount: number, reported: number) => {
      const { apiKey } = await newMerchant();
      const customer = mobile('76');
      const ref = await newInvoice(apiKey, customer, amount);
      await control('daraja/control/next-outcome', {
        outcome: 'partial_amount',
        phone: customer,
        delayMs: 0,
        amount: reported,
      });
      const started = await request(t.url)
        .post('/payments/stk/initiate')
        .set({ Authorization: `Bearer ${apiKey}` })
        .send({ invoiceRef: ref })
        .expect(202);
      const paymentId: string = started.body.paymentId;
      await waitFor('the payment to be held for review', async () => {
        const [row] = await db.query(`SELECT status FROM payments WHERE id = $1`, [paymentId]);
        return row?.status === 'review';
      });
      return { ref, paymentId, apiKey };
    };
    const invoiceOf = async (ref: string) =>
      (await request(t.url).get(`/admin/invoices/${ref}`).set(admin).expect(200)).body;
    const settle = (paymentId: string, body: object) =>
      request(t.url).post(`/admin/payments/${paymentId}/review`).set(admin).send(body);

    it('accept: the reported amount counts, the invoice leaves PAYMENT_INIT, reconciliation forgets it', async () => {
      const { ref, paymentId } = await heldPayment(1000, 700);
      expect((await invoiceOf(ref)).invoice.state).toBe('PAYMENT_INIT');
      const drift = await request(t.url).get('/admin/reconciliation').set(admin).expect(200);
      expect(drift.body.items).toContainEqual(
        expect.objectContaining({
          issue: 'amount_review',
          paymentId,
          suggestedAction: expect.stringContaining(`/admin/payments/<id>/review`),
        }),
      );

      const res = await settle(paymentId, {
        decision: 'accept',
        note: 'Merchant confirms 700 received',
      }).expect(200);
      expect(res.body).toMatchObject({
        id: paymentId,
        status: 'succeeded',
        outcome: 'paid',
        amount: 1000,
        paidAmount: 700,
        flaggedReason: expect.stringContaining('amount_mismatch'),
        review: {
          decision: 'accepted',
          note: 'Merchant confirms 700 received',
          at: expect.any(String),
        },
      });
      const { invoice, timeline } = await invoiceOf(ref);
      expect(invoice).toMatchObject({ state: 'PARTIALLY_PAID', amountPaid: 700 });
      expect(timeline).toContainEqual(
        expect.objectContaining({
          type: 'transition',
          event: 'PAYMENT_CONFIRMED',
          source: 'admin',
          accepted: true,
        }),
      );
      expect(timeline).toContainEqual(
        expect.objectContaining({
          type: 'payment',
          id: paymentId,
          review: expect.objectContaining({ decision: 'accepted' }),
        }),
      );
      const after = await request(t.url).get('/admin/reconciliation').set(admin).expect(200);
      expect(after.body.items.map((i: { paymentId: string }) => i.paymentId)).not.toContain(
        paymentId,
      );

      // Settled once: a second decision is refused and changes nothing.
      const again = await settle(paymentId, { decision: 'reject', note: 'changed my mind' }).expect(
        409,
      );
      expect(again.body).toMatchObject({ code: 'not_in_review' });
      expect(again.body.message).toContain('already settled (accepted)');
      expect((await invoiceOf(ref)).invoice).toMatchObject({
        state: 'PARTIALLY_PAID',
        amountPaid: 700,
      });
      expect(t.logs.text).not.toContain('Merchant confirms');
    });

    it('accept of more than the balance marks the invoice PAID', async () => {
      const { ref, paymentId } = await heldPayment(500, 650);
      await settle(paymentId, {
        decision: 'accept',
        note: 'Customer overpaid; refund by hand',
      }).expect(200);
      expect((await invoiceOf(ref)).invoice.state).toBe('PAID');
    });

    it('reject: the attempt fails and the customer can pay again', async () => {
      const { ref, paymentId, apiKey } = await heldPayment(900, 100);
      const res = await settle(paymentId, {
        decision: 'reject',
        note: 'Reversed in the M-PESA portal',
      }).expect(200);
      expect(res.body).toMatchObject({
        status: 'failed',
        outcome: 'review_rejected',
        review: { decision: 'rejected', note: 'Reversed in the M-PESA portal' },
      });
      expect((await invoiceOf(ref)).invoice).toMatchObject({ state: 'FAILED', amountPaid: 0 });
      await request(t.url)
        .post('/payments/stk/initiate')
        .set({ Authorization: `Bearer ${apiKey}` })
        .send({ invoiceRef: ref })
        .expect(202);
    });

    it('refuses bad decisions with 400, unknown payments with 404, payments not in review with 409', async () => {
      const { paymentId } = await heldPayment(800, 300);
      for (const [body, mentions] of [
        [{ decision: 'maybe', note: 'x' }, 'decision must be accept or reject'],
        [{ decision: 'accept' }, 'note must be'],
        [{ decision: 'accept', note: '' }, 'note must be 1 to 500 characters'],
        [{ decision: 'accept', note: 'x'.repeat(501) }, 'note must be 1 to 500 characters'],
        [{ decision: 'accept', note: 'ok', extra: 1 }, 'extra'],
      ] as const) {
        const res = await settle(paymentId, body).expect(400);
        expect(JSON.stringify(res.body)).toContain(mentions);
      }
      const [row] = await db.query(`SELECT status, reviewed_at FROM payments WHERE id = $1`, [
        paymentId,
      ]);
      expect(row).toEqual({ status: 'review', reviewed_at: null });

      await settle(randomUUID(), { decision: 'accept', note: 'x' }).expect(404);
      await settle('not-a-uuid', { decision: 'accept', note: 'x' }).expect(404);
      const { id: merchantId } = await newMerchant();
      const [open] = await db.query(
        `INSERT INTO payments (invoice_id, attempt, phone, amount, status) VALUES ($1, 1, '+254722000111', 1000, 'pending') RETURNING id`,
        [await sqlInvoice(merchantId)],
      );
      const pending = await settle(open.id, { decision: 'accept', note: 'x' }).expect(409);
      expect(pending.body).toMatchObject({ code: 'not_in_review', details: { status: 'pending' } });
      await request(t.url)
        .post(`/admin/payments/${paymentId}/review`)
        .send({ decision: 'accept', note: 'x' })
        .expect(401);
    });
  });

  it('reconciliation lists drift with suggested actions', async () => {
    const { id: merchantId } = await newMerchant();
    const invoiceId = await sqlInvoice(merchantId);
    const [payment] = await db.query(
      `INSERT INTO payments (invoice_id, attempt, phone, amount, status, result_code, flagged_reason, checkout_request_id)
       VALUES ($1, 1, '+254722000111', 1000, 'review', 0, 'amount_mismatch: asked 1000, M-PESA reported 500', $2) RETURNING id`,
      [invoiceId, `ws_CO_${randomUUID()}`],
    );
    const res = await request(t.url).get('/admin/reconciliation').set(admin).expect(200);
    expect(res.body.items).toContainEqual(
      expect.objectContaining({
        issue: 'amount_review',
        paymentId: payment.id,
        invoiceId,
        suggestedAction: expect.any(String),
      }),
    );
  });

  it('a dead outbox row retried through the API is delivered once', async () => {
    const echo = t.app.get(EchoHandler);
    const key = `admin-ops-test:${randomUUID()}`;
    const [row] = await db.query(
      `INSERT INTO outbox (kind, payload, idempotency_key, status, attempts, last_error, created_at, updated_at)
       VALUES ($1, $2, $3, 'dead', 8, 'boom: provider said no', now() - interval '90 seconds', now())
       RETURNING id`,
      [TEST_KIND, { phone: '+254712345678', note: 'x' }, key],
    );
    const id = String(row.id);
    const list = await request(t.url)
      .get('/admin/outbox')
      .query({ status: 'dead', kind: TEST_KIND })
      .set(admin)
      .expect(200);
    const item = list.body.items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({
      status: 'dead',
      lastError: 'boom: provider said no',
      attempts: 8,
    });
    expect(item.ageSeconds).toBeGreaterThanOrEqual(89);
    expect(JSON.stringify(item.payload)).not.toContain('712345678');
    expect(echo.seen).not.toContain(id);

    const retried = await request(t.url).post(`/admin/outbox/${id}/retry`).set(admin).expect(200);
    expect(retried.body).toMatchObject({ id, attempts: 0 });
    await waitFor('the row to be delivered', async () => {
      const [r] = await db.query(`SELECT status FROM outbox WHERE id = $1`, [id]);
      return r.status === 'done';
    });
    await sleep(1500);
    expect(echo.seen.filter((s) => s === id)).toHaveLength(1);
    await request(t.url).post(`/admin/outbox/${id}/retry`).set(admin).expect(409);
    await request(t.url).post('/admin/outbox/999999999999/retry').set(admin).expect(404);
    await request(t.url).post('/admin/outbox/abc/retry').set(admin).expect(404);

    // Keyset pages over the outbox.
    const page1 = await request(t.url)
      .get('/admin/outbox')
      .query({ limit: 1 })
      .set(admin)
      .expect(200);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await request(t.url)
      .get('/admin/outbox')
      .query({ limit: 1, cursor: page1.body.nextCursor })
      .set(admin)
      .expect(200);
    expect(Number(page2.body.items[0].id)).toBeLessThan(Number(page1.body.items[0].id));
  });

  it('documents the admin endpoints in OpenAPI with the admin bearer scheme', async () => {
    const { body } = await request(t.url).get('/docs-json').expect(200);
    for (const path of [
      '/admin/invoices',
      '/admin/invoices/{ref}',
      '/admin/invoices/{ref}/resend',
      '/admin/invoices/{ref}/cancel',
      '/admin/payments/{id}/requery',
      '/admin/outbox',
      '/admin/outbox/{id}/retry',
      '/admin/reconciliation',
      '/admin/machines',
      '/admin/machines/{kind}',
      '/admin/machines/{kind}/{id}',
      '/admin/merchants/{id}/rotate-key',
    ]) {
      const ops = Object.values(body.paths[path] ?? {}) as { security?: unknown[] }[];
      expect(ops.length).toBeGreaterThan(0);
      for (const op of ops) expect(op.security).toContainEqual({ admin: [] });
    }
  });

  it('rate-limits /admin/*', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 125; i += 1) {
      statuses.push((await request(t.url).get('/admin/machines').set(admin)).status);
    }
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(120);
    expect(statuses).toContain(429);
  });
});
