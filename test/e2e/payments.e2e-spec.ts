import { randomInt } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { InvoicesModule } from '../../src/invoices/invoices.module';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { PAYMENT_INITIATOR } from '../../src/payments/payment-initiation.port';
import { PaymentsModule } from '../../src/payments/payments.module';
import { PaymentsService } from '../../src/payments/payments.service';
import { ReconciliationService } from '../../src/payments/reconciliation.service';
import { ManualClock } from '../../src/runtime/clock';
import { createTestApp, type TestApp } from '../utils/create-app';
import { darajaControl, sleep, waitFor } from '../utils/daraja-control';

/** A fresh Safaricom number each time, so no test trips over another's subscriber lock. */
const phonesUsed: string[] = [];
const newPhone = (): string => {
  const phone = `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  phonesUsed.push(phone);
  return phone;
};

describe('payments: STK push, callbacks, polling (real HTTP against the Daraja simulator)', () => {
  let t: TestApp;
  let db: DataSource;
  let clock: ManualClock;
  let apiKey: string;
  let otherKey: string;

  const auth = (key = apiKey) => ({ Authorization: `Bearer ${key}` });
  const ctl = darajaControl(() => t.url);
  const createInvoice = async (amount = 1500, key = apiKey) => {
    const phone = newPhone();
    const res = await request(t.url)
      .post('/invoices')
      .set(auth(key))
      .send({ customerPhone: phone, amount, description: 'Logo design' })
      .expect(201);
    return { id: res.body.id as string, ref: res.body.ref as string, phone };
  };
  const initiate = (body: Record<string, unknown>, key: string | null = apiKey) => {
    const req = request(t.url).post('/payments/stk/initiate');
    if (key !== null) req.set(auth(key));
    return req.send(body);
  };
  const payment = async (id: string) =>
    (await db.query(`SELECT * FROM payments WHERE id = $1`, [id]))[0];
  const invoice = async (id: string) =>
    (await db.query(`SELECT state, amount, amount_paid FROM invoices WHERE id = $1`, [id]))[0];
  const waitForStatus = (id: string, statuses: string[], ms?: number) =>
    waitFor(async () => {
      const row = await payment(id);
      return statuses.includes(row?.status) && row;
    }, ms);
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await db.query(sql, params))[0].n);
  const pushesTo = async (phone: string) => {
    const { pushes } = await ctl('pushes');
    return (pushes as any[]).filter((p) => p.phone === `254${phone.slice(4)}` || p.phone === phone);
  };
  const callbackBody = (checkoutRequestId: string, resultCode: number, amount?: number) => ({
    Body: {
      stkCallback: {
        MerchantRequestID: 'test-merchant-request',
        CheckoutRequestID: checkoutRequestId,
        ResultCode: resultCode,
        ResultDesc: resultCode === 0 ? 'The service request is processed successfully.' : 'No',
        ...(resultCode === 0
          ? {
              CallbackMetadata: {
                Item: [
                  { Name: 'Amount', Value: amount },
                  { Name: 'MpesaReceiptNumber', Value: `R${randomInt(100_000_000, 999_999_999)}` },
                  { Name: 'Balance' },
                  { Name: 'TransactionDate', Value: 20260115101010 },
                ],
              },
            }
          : {}),
      },
    },
  });
  const postCallback = (body: unknown, secret = t.config.mpesa.callbackSecret) =>
    request(t.url)
      .post(`/payments/stk/callback/${secret}`)
      .send(body as object);
  const confirmSource = async (invoiceId: string) =>
    (
      await db.query(
        `SELECT source FROM transitions WHERE entity_id = $1 AND event_type = 'PAYMENT_CONFIRMED' AND accepted`,
        [invoiceId],
      )
    ).map((r: any) => r.source);
  const invoiceStates = async (id: string) =>
    (
      await db.query(
        `SELECT to_state FROM transitions WHERE machine_kind = 'invoice' AND entity_id = $1 AND accepted ORDER BY id`,
        [id],
      )
    )
      .map((r: any) => r.to_state)
      .filter((s: string, i: number, all: string[]) => i === 0 || all[i - 1] !== s);

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await createTestApp({}, { imports: [InvoicesModule, PaymentsModule], clock });
    db = t.app.get(DataSource);
    const merchants = t.app.get(MerchantsService);
    const mine = await merchants.create(db.manager, {
      displayName: 'Duka',
      whatsappPhone: newPhone(),
    });
    const other = await merchants.create(db.manager, {
      displayName: 'Other',
      whatsappPhone: newPhone(),
    });
    apiKey = mine.apiKey;
    otherKey = other.apiKey;
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    await ctl('reset', {});
    await ctl('settings', { defaultDelayMs: 50 });
  });

  it('provides PaymentsService under PAYMENT_INITIATOR', () => {
    expect(t.app.get(PAYMENT_INITIATOR)).toBe(t.app.get(PaymentsService));
  });

  it('initiate → success callback → PAID with the receipt stored', async () => {
    const inv = await createInvoice(1500);
    const res = await initiate({ invoiceRef: inv.ref }).expect(202);
    expect(res.body).toEqual({
      paymentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      checkoutRequestId: null,
      status: 'initiating',
      amount: 1500,
    });
    const paid = await waitForStatus(res.body.paymentId, ['succeeded']);
    expect(paid).toMatchObject({
      attempt: 1,
      amount: 1500,
      paid_amount: 1500,
      result_code: 0,
      outcome: 'paid',
      phone: inv.phone,
      mpesa_receipt: expect.stringMatching(/^[A-Z0-9]{10}$/),
      checkout_request_id: expect.stringMatching(/^ws_CO_/),
    });
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: 1500 });
    expect(await invoiceStates(inv.id)).toEqual(['READY', 'PAYMENT_INIT', 'PAID']);
    const events = await db.query(
      `SELECT external_id, processed_at FROM inbound_events WHERE provider = 'mpesa' AND external_id = $1`,
      [`${paid.checkout_request_id}:0`],
    );
    expect(events).toEqual([{ external_id: expect.any(String), processed_at: expect.any(Date) }]);

    const view = await request(t.url).get(`/payments/${paid.id}`).set(auth()).expect(200);
    expect(view.body).toMatchObject({ status: 'succeeded', invoiceRef: inv.ref, attempt: 1 });
    await request(t.url).get(`/payments/${paid.id}`).set(auth(otherKey)).expect(404);

    const again = await initiate({ invoiceRef: inv.ref }).expect(409);
    expect(again.body).toMatchObject({ code: 'invoice_paid', details: { reason: 'paid' } });
  });

  it('sends Daraja a valid Password and fields within limits', async () => {
    const inv = await createInvoice(1500);
    const res = await initiate({ invoiceRef: inv.ref }).expect(202);
    await waitForStatus(res.body.paymentId, ['succeeded']);
    const { requests } = await ctl('requests?kind=push');
    const sent = (requests as any[]).find(
      (r) => r.body?.AccountReference === inv.ref.replace(/[^A-Za-z0-9]/g, ''),
    );
    expect(sent.status).toBe(200);
    const b = sent.body;
    const { shortcode, passkey } = t.config.mpesa;
    expect(b.Timestamp).toMatch(/^\d{14}$/);
    expect(b.Password).toBe(Buffer.from(`${shortcode}${passkey}${b.Timestamp}`).toString('base64'));
    expect(b.BusinessShortCode).toBe(shortcode);
    expect(b.Amount).toBe(1500);
    expect(b.PhoneNumber).toBe(`254${inv.phone.slice(4)}`);
    expect(b.PartyA).toBe(b.PhoneNumber);
    expect(b.AccountReference.length).toBeLessThanOrEqual(12);
    expect(b.TransactionDesc.length).toBeLessThanOrEqual(13);
    expect(b.CallBackURL).toBe(t.config.mpesaCallbackUrl);
  });

  it('ends each failure outcome FAILED with its outcome, lets a new attempt start, refuses the sixth', async () => {
    const inv = await createInvoice(1500);
    const plans = [
      ['cancelled', 1032, 'cancelled'],
      ['wrong_pin', 2001, 'wrong_pin'],
      ['insufficient_funds', 1, 'insufficient_funds'],
      ['unreachable', 1037, 'timeout'],
      ['cancelled', 1032, 'cancelled'],
    ] as const;
    for (const [i, [simOutcome, code, outcome]] of plans.entries()) {
      await ctl('next-outcome', { outcome: simOutcome, phone: inv.phone, delayMs: 0 });
      const res = await initiate({ invoiceRef: inv.ref }).expect(202);
      const failed = await waitForStatus(res.body.paymentId, ['failed']);
      expect(failed).toMatchObject({ attempt: i + 1, result_code: code, outcome });
      expect((await invoice(inv.id)).state).toBe('FAILED');
    }
    const sixth = await initiate({ invoiceRef: inv.ref }).expect(409);
    expect(sixth.body).toMatchObject({ code: 'attempts_exhausted' });
    expect(await count(`SELECT count(*) AS n FROM payments WHERE invoice_id = $1`, [inv.id])).toBe(
      5,
    );
  });

  it('applies three concurrent duplicate callbacks once; acknowledges unknown ids', async () => {
    const inv = await createInvoice(1500);
    await ctl('next-outcome', { outcome: 'success', phone: inv.phone, mode: 'interactive' });
    const res = await initiate({ invoiceRef: inv.ref }).expect(202);
    const pending = await waitForStatus(res.body.paymentId, ['pending']);
    const body = callbackBody(pending.checkout_request_id, 0, 1500);
    const answers = await Promise.all([1, 2, 3].map(() => postCallback(body)));
    for (const a of answers) expect(a.status).toBe(200);
    for (const a of answers) expect(a.body).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: 1500 });
    expect(
      await count(
        `SELECT count(*) AS n FROM transitions WHERE entity_id = $1 AND event_type = 'PAYMENT_CONFIRMED'`,
        [inv.id],
      ),
    ).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM inbound_events WHERE external_id = $1`, [
        `${pending.checkout_request_id}:0`,
      ]),
    ).toBe(1);

    const before = await count(`SELECT count(*) AS n FROM transitions`);
    const unknown = await postCallback(callbackBody('ws_CO_UNKNOWN_0001', 0, 10)).expect(200);
    expect(unknown.body).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });
    const malformed = await postCallback({ hello: 'world' }).expect(200);
    expect(malformed.body).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });
    expect(await count(`SELECT count(*) AS n FROM transitions`)).toBe(before);
    const [stored] = await db.query(
      `SELECT processed_at FROM inbound_events WHERE external_id = 'ws_CO_UNKNOWN_0001:0'`,
    );
    expect(stored.processed_at).toBeNull();
    expect(
      await count(
        `SELECT count(*) AS n FROM inbound_events WHERE provider = 'mpesa' AND external_id LIKE 'malformed:%'`,
      ),
    ).toBeGreaterThanOrEqual(1);
  });

  it('answers 200 to a callback that is not JSON at all, and records what arrived', async () => {
    const unreadable = `{"Body": {"stkCallback": nope-${randomInt(1e9)}\u0000`;
    const res = await request(t.url)
      .post(`/payments/stk/callback/${t.config.mpesa.callbackSecret}`)
      .set('Content-Type', 'application/json')
      .send(unreadable)
      .expect(200);
    expect(res.body).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });
    const rows = await db.query(
      `SELECT payload, processed_at FROM inbound_events
        WHERE provider = 'mpesa' AND external_id LIKE 'malformed:%' AND payload->>'raw' IS NOT NULL`,
    );
    const mine = rows.find((r: any) => r.payload.raw === unreadable.replace('\u0000', ''));
    expect(mine).toMatchObject({ payload: { body: null }, processed_at: expect.any(Date) });

    // The path secret is still checked first, and other routes still refuse such bodies.
    await request(t.url)
      .post('/payments/stk/callback/not-the-secret')
      .set('Content-Type', 'application/json')
      .send('{oops')
      .expect(404);
    const elsewhere = await request(t.url)
      .post('/payments/stk/initiate')
      .set(auth())
      .set('Content-Type', 'application/json')
      .send('{oops')
      .expect(400);
    expect(elsewhere.body).toMatchObject({ statusCode: 400 });
  });

  it('simulator duplicate callbacks change the invoice once', async () => {
    const inv = await createInvoice(1500);
    await ctl('next-outcome', { outcome: 'duplicate_callbacks', phone: inv.phone, delayMs: 0 });
    const res = await initiate({ invoiceRef: inv.ref }).expect(202);
    const paid = await waitForStatus(res.body.paymentId, ['succeeded']);
    await waitFor(async () => {
      const { callbacks } = await ctl('callbacks');
      return (
        (callbacks as any[]).filter((c) => c.checkoutRequestId === paid.checkout_request_id)
          .length === 3
      );
    });
    expect(await invoiceStates(inv.id)).toEqual(['READY', 'PAYMENT_INIT', 'PAID']);
  });

  it('applies a callback that arrives before the push answer once the push is stored', async () => {
    const inv = await createInvoice(1500);
    await ctl('next-outcome', { outcome: 'callback_before_response', phone: inv.phone });
    const res = await initiate({ invoiceRef: inv.ref }).expect(202);
    const paid = await waitForStatus(res.body.paymentId, ['succeeded']);
    expect(paid.mpesa_receipt).toMatch(/^[A-Z0-9]{10}$/);
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID' });
    const [event] = await db.query(
      `SELECT processed_at FROM inbound_events WHERE external_id = $1`,
      [`${paid.checkout_request_id}:0`],
    );
    expect(event.processed_at).not.toBeNull();
    expect(await confirmSource(inv.id)).toEqual(['webhook:mpesa:early']);
  });

  it('does not mark paid when the callback amount differs (review)', async () => {
    const inv = await createInvoice(1500);
    await ctl('next-outcome', {
      outcome: 'partial_amount',
      phone: inv.phone,
      delayMs: 0,
      amount: 700,
    });
    const res = await initiate({ invoiceRef: inv.ref }).expect(202);
    const flagged = await waitForStatus(res.body.paymentId, ['review']);
    expect(flagged.flagged_reason).toContain('amount_mismatch');
    expect(flagged.paid_amount).toBe(700);
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAYMENT_INIT', amount_paid: 0 });
    const drift = await t.app.get(ReconciliationService).findDrift();
    expect(drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ issue: 'amount_review', paymentId: flagged.id }),
      ]),
    );
  });

  it('partial payment: 400 of 1,000 leaves a balance of 600, PARTIALLY_PAID', async () => {
    const inv = await createInvoice(1000);
    const res = await initiate({ invoiceRef: inv.ref, amount: 400 }).expect(202);
    expect(res.body.amount).toBe(400);
    await waitForStatus(res.body.paymentId, ['succeeded']);
    const view = await request(t.url).get(`/invoices/${inv.ref}`).set(auth()).expect(200);
    expect(view.body).toMatchObject({ status: 'PARTIALLY_PAID', amountPaid: 400, balance: 600 });
    const tooMuch = await initiate({ invoiceRef: inv.ref, amount: 601 }).expect(400);
    expect(tooMuch.body.message).toContain('amount');
  });

  it('no callback at all: status polling confirms the payment', async () => {
    const inv = await createInvoice(1500);
    await ctl('next-outcome', { outcome: 'no_callback', phone: inv.phone, delayMs: 0 });
    const res = await initiate({ invoiceRef: inv.ref }).expect(202);
    const pending = await waitForStatus(res.body.paymentId, ['pending']);
    expect(pending.checkout_request_id).toMatch(/^ws_CO_/);
    await waitFor(async () => {
      const [push] = await pushesTo(inv.phone);
      return push?.status === 'final';
    });
    await sleep(300);
    expect((await payment(pending.id)).status).toBe('pending');
    clock.advance(21_000);
    const paid = await waitForStatus(pending.id, ['succeeded']);
    expect(paid).toMatchObject({ result_code: 0, paid_amount: 1500, mpesa_receipt: null });
    expect(paid.query_attempts).toBeGreaterThanOrEqual(1);
    expect(await confirmSource(inv.id)).toEqual(['outbox:mpesa.stk_query']);
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: 1500 });
  });

  it('an ambiguous push is never pushed again and times out after 3 minutes', async () => {
    const inv = await createInvoice(1500);
    await ctl('faults', { target: 'push', kind: 'error', afterProcessing: true });
    await ctl('settings', { mode: 'interactive' });
    const res = await initiate({ invoiceRef: inv.ref }).expect(202);
    const pending = await waitForStatus(res.body.paymentId, ['pending']);
    expect(pending.checkout_request_id).toBeNull();
    clock.advance(181_000);
    const failed = await waitForStatus(pending.id, ['failed']);
    expect(failed).toMatchObject({ outcome: 'timeout', result_code: 1037 });
    expect(await pushesTo(inv.phone)).toHaveLength(1);
    expect((await invoice(inv.id)).state).toBe('FAILED');
  });

  it('a retryable refusal (subscriber locked) is retried, not failed; a dead push is released by reconciliation', async () => {
    const inv = await createInvoice(1500);
    await ctl('faults', {
      target: 'push',
      kind: 'error',
      httpStatus: 500,
      errorCode: '500.001.1001',
      errorMessage:
        'Unable to lock subscriber, a transaction is already in process for the current subscriber',
      count: 50,
    });
    const res = await initiate({ invoiceRef: inv.ref }).expect(202);
    const held = await waitFor(async () => {
      const row = await payment(res.body.paymentId);
      return row.result_desc?.startsWith('last push refused: ') && row;
    });
    // Refused before M-PESA: not started, so the next run pushes again rather than waiting.
    expect(held).toMatchObject({ status: 'initiating', push_started_at: null });
    const [outboxRow] = await db.query(
      `SELECT id, status, attempts FROM outbox WHERE kind = 'mpesa.stk_push' AND payload->>'paymentId' = $1`,
      [held.id],
    );
    expect(outboxRow).toMatchObject({ status: 'pending', attempts: 1 });

    // Stand-in for eight failed tries: the row is dead, the payment still holds the invoice.
    await db.query(`UPDATE outbox SET status = 'dead', last_error = 'locked' WHERE id = $1`, [
      outboxRow.id,
    ]);
    expect(await t.app.get(ReconciliationService).releaseDeadPushes()).toBe(1);
    expect(await payment(held.id)).toMatchObject({ status: 'failed', outcome: 'rejected' });
    expect((await invoice(inv.id)).state).toBe('FAILED');
    await initiate({ invoiceRef: inv.ref }).expect(202);
  });

  it('reconciliation reports a payment stuck pending and queues a status query', async () => {
    const inv = await createInvoice(1500);
    await ctl('settings', { mode: 'interactive', promptTimeoutMs: 600_000 });
    const res = await initiate({ invoiceRef: inv.ref }).expect(202);
    const pending = await waitForStatus(res.body.paymentId, ['pending']);
    clock.advance(11 * 60_000);
    const reconciliation = t.app.get(ReconciliationService);
    const drift = await reconciliation.run();
    expect(drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          issue: 'stuck_pending',
          paymentId: pending.id,
          checkoutRequestId: pending.checkout_request_id,
          suggestedAction: expect.any(String),
        }),
      ]),
    );
    expect(
      await count(`SELECT count(*) AS n FROM outbox WHERE idempotency_key LIKE $1`, [
        `mpesa.query:${pending.id}:reconcile:%`,
      ]),
    ).toBe(1);
    // The prompt ends; the queued query settles the payment.
    await ctl(`prompts/${pending.checkout_request_id}/respond`, { action: 'cancel' });
    await waitForStatus(pending.id, ['failed']);
  });

  describe('bad input on initiate: 4xx naming the problem, nothing written', () => {
    let ref: string;
    let otherRef: string;
    beforeAll(async () => {
      ref = (await createInvoice(1500)).ref;
      otherRef = (await createInvoice(1500, otherKey)).ref;
    });

    it.each([
      ['unknown ref', { invoiceRef: 'INV-ZZZZZZ' }, apiKeyOf('mine'), 404, 'Invoice'],
      ["another merchant's ref", { invoiceRef: 'OTHER' }, apiKeyOf('mine'), 404, 'Invoice'],
      ['bad phone', { invoiceRef: 'MINE', phone: '0201234567' }, apiKeyOf('mine'), 400, 'phone'],
      ['unknown field', { invoiceRef: 'MINE', tip: 5 }, apiKeyOf('mine'), 400, 'tip'],
      ['missing ref', {}, apiKeyOf('mine'), 400, 'invoiceRef'],
      ['missing API key', { invoiceRef: 'MINE' }, apiKeyOf('none'), 401, 'API key'],
      ['wrong API key', { invoiceRef: 'MINE' }, apiKeyOf('wrong'), 401, 'API key'],
    ])('%s', async (_name, body, who, status, mention) => {
      const resolved = { ...body } as Record<string, unknown>;
      if (resolved.invoiceRef === 'MINE') resolved.invoiceRef = ref;
      if (resolved.invoiceRef === 'OTHER') resolved.invoiceRef = otherRef;
      const key = who === 'mine' ? apiKey : who === 'wrong' ? 'iq_live_' + 'x'.repeat(40) : null;
      const before = await count(`SELECT count(*) AS n FROM payments`);
      const res = await initiate(resolved, key).expect(status);
      expect(JSON.stringify(res.body.message)).toContain(mention);
      expect(await count(`SELECT count(*) AS n FROM payments`)).toBe(before);
    });
  });

  it('ten concurrent initiations produce exactly one STK push', async () => {
    const inv = await createInvoice(1500);
    await ctl('next-outcome', { outcome: 'success', phone: inv.phone, mode: 'interactive' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => initiate({ invoiceRef: inv.ref })),
    );
    const started = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 409);
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const r of refused) {
      expect(r.body).toMatchObject({
        code: 'payment_pending',
        details: { reason: 'pending', pendingPaymentId: started[0].body.paymentId },
      });
    }
    await waitForStatus(started[0].body.paymentId, ['pending']);
    await sleep(300);
    expect(await pushesTo(inv.phone)).toHaveLength(1);
    expect(await count(`SELECT count(*) AS n FROM payments WHERE invoice_id = $1`, [inv.id])).toBe(
      1,
    );
  });

  it('documents the merchant routes in OpenAPI, not the callback', async () => {
    const res = await request(t.url).get('/docs-json').expect(200);
    const paths = Object.keys(res.body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/payments/stk/initiate', '/payments/{id}']));
    expect(paths.filter((p) => p.startsWith('/payments/stk/callback'))).toEqual([]);
    expect(res.body.components.schemas.InitiateStkDto.required).toEqual(['invoiceRef']);
  });

  it('never logs the callback secret or a full customer phone number', () => {
    expect(t.logs.text).not.toContain(t.config.mpesa.callbackSecret);
    for (const phone of phonesUsed) {
      expect(t.logs.text).not.toContain(phone.slice(4));
    }
  });

  it('a wrong callback secret is a 404 and stores nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM inbound_events`);
    await postCallback(callbackBody('ws_CO_SECRET_TEST', 0, 10), 'not-the-secret').expect(404);
    expect(await count(`SELECT count(*) AS n FROM inbound_events`)).toBe(before);
  });
});

function apiKeyOf(who: 'mine' | 'wrong' | 'none'): 'mine' | 'wrong' | 'none' {
  return who;
}
