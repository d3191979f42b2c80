import { randomInt } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { StkPushHandler } from '../../src/payments/stk-push.handler';
import { ManualClock } from '../../src/runtime/clock';
import type { OutboxRow } from '../../src/runtime/outbox';
import { createTestApp, type TestApp } from '../utils/create-app';
import { darajaControl, newSafaricomPhone, sleep, waitFor } from '../utils/daraja-control';

/**
 * Issue 13: money M-PESA took is never lost, never credited twice, and never reported as failed
 * while it may still arrive. Real HTTP against the Daraja simulator; crashes are reproduced as
 * the database state a dead process leaves behind.
 */
const ADMIN_KEY = 'money-path-e2e-admin-key-0123456789';
/** Orphan callbacks are matched by amount: an amount no other test's leftover push has. */
const uniqueAmount = (): number => randomInt(10_000, 250_000);

/** YYYYMMDDHHmmss in Nairobi time, as Daraja's TransactionDate. */
const nairobiStamp = (at: Date): number =>
  Number(new Date(at.getTime() + 3 * 3_600_000).toISOString().replace(/[-T:]/g, '').slice(0, 14));

describe('money path: crashes, lost answers, late and odd M-PESA results', () => {
  let t: TestApp;
  let db: DataSource;
  let clock: ManualClock;
  let apiKey: string;

  const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
  const ctl = darajaControl(() => t.url);
  const createInvoice = async (amount = 1500) => {
    const phone = newSafaricomPhone();
    const res = await request(t.url)
      .post('/invoices')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ customerPhone: phone, amount, description: 'Logo design' })
      .expect(201);
    return { id: res.body.id as string, ref: res.body.ref as string, phone };
  };
  const initiate = async (ref: string): Promise<string> => {
    const res = await request(t.url)
      .post('/payments/stk/initiate')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ invoiceRef: ref })
      .expect(202);
    return res.body.paymentId as string;
  };
  const payment = async (id: string) =>
    (await db.query(`SELECT * FROM payments WHERE id = $1`, [id]))[0];
  const invoice = async (id: string) =>
    (await db.query(`SELECT state, amount, amount_paid FROM invoices WHERE id = $1`, [id]))[0];
  const waitForPayment = (id: string, match: (row: any) => boolean) =>
    waitFor(async () => {
      const row = await payment(id);
      return row && match(row) && row;
    });
  const pushesTo = async (phone: string) => {
    const { pushes } = await ctl('pushes');
    return (pushes as any[]).filter((p) => p.phone === `254${phone.slice(4)}`);
  };
  const promptFor = async (phone: string) =>
    waitFor(async () => (await pushesTo(phone)).find((p) => p.status === 'pending'));
  const pinFor = async (phone: string) => {
    const prompt = await promptFor(phone);
    await ctl(`prompts/${prompt.checkoutRequestId}/respond`, { action: 'pin' });
    return prompt;
  };
  const drift = async () =>
    (await request(t.url).get('/admin/reconciliation').set(admin).expect(200)).body.items as any[];
  const confirmSources = async (invoiceId: string) =>
    (
      await db.query(
        `SELECT source FROM transitions WHERE entity_id = $1 AND event_type = 'PAYMENT_CONFIRMED' AND accepted ORDER BY id`,
        [invoiceId],
      )
    ).map((r: any) => r.source);
  const successCallback = (checkoutRequestId: string, amount: number, at: Date) => ({
    Body: {
      stkCallback: {
        MerchantRequestID: `orphan-${randomInt(1e9)}`,
        CheckoutRequestID: checkoutRequestId,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: amount },
            { Name: 'MpesaReceiptNumber', Value: `T${randomInt(100_000_000, 999_999_999)}` },
            { Name: 'Balance' },
            { Name: 'TransactionDate', Value: nairobiStamp(at) },
            { Name: 'PhoneNumber', Value: '0722XXX489' },
          ],
        },
      },
    },
  });
  const postCallback = (body: unknown) =>
    request(t.url)
      .post(`/payments/stk/callback/${t.config.mpesa.callbackSecret}`)
      .send(body as object)
      .expect(200);
  /** A push whose prompt reached the phone but whose answer was lost (HTTP 500 after processing). */
  const ambiguousPush = async (count = 1) => {
    await ctl('settings', { mode: 'interactive' });
    await ctl('faults', { target: 'push', kind: 'error', afterProcessing: true, count });
  };

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await createTestApp({ ADMIN_API_KEY: ADMIN_KEY }, { full: true, clock });
    db = t.app.get(DataSource);
    const merchant = await t.app
      .get(MerchantsService)
      .create(db.manager, { displayName: 'Duka', whatsappPhone: newSafaricomPhone() });
    apiKey = merchant.apiKey;
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    // Daraja's TransactionDate is real time; keep the app's clock beside it.
    clock.set(new Date());
    await ctl('reset', {});
    await ctl('settings', { mode: 'auto', defaultDelayMs: 50, promptTimeoutMs: 600_000 });
  });

  it('pushes, once, a push that a dead process claimed but never started', async () => {
    const inv = await createInvoice(1500);
    // A refusal before M-PESA leaves the push not started, its outbox row waiting to retry...
    await ctl('faults', {
      target: 'push',
      kind: 'error',
      httpStatus: 500,
      errorCode: '500.001.1001',
      errorMessage: 'Unable to lock subscriber, a transaction is already in process',
      count: 1,
    });
    const id = await initiate(inv.ref);
    await waitForPayment(id, (p) => p.result_desc?.startsWith('last push refused: '));
    // ...then a second process claims the row and dies before its push starts.
    await db.query(
      `UPDATE outbox SET status = 'running', claimed_by = 'dispatcher-dead', attempts = attempts + 1,
              claim_expires_at = $2
        WHERE kind = 'mpesa.stk_push' AND payload->>'paymentId' = $1`,
      [id, new Date(clock.now().getTime() + 60_000)],
    );
    expect(await payment(id)).toMatchObject({ status: 'initiating', push_started_at: null });
    clock.advance(61_000);

    const paid = await waitForPayment(id, (p) => p.status === 'succeeded');
    expect(paid.push_started_at).not.toBeNull();
    expect(paid.matched_by).toBe('checkout_request_id');
    expect(await pushesTo(inv.phone)).toHaveLength(1);
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: 1500 });
  });

  it('never pushes again a push that started and recorded no answer: it waits as ambiguous', async () => {
    const inv = await createInvoice(uniqueAmount());
    await ctl('settings', { mode: 'interactive' });
    await ctl('faults', { target: 'push', kind: 'delay', delayMs: 4_000, count: 1 });
    const id = await initiate(inv.ref);
    await waitForPayment(id, (p) => p.push_started_at !== null);
    // A second instance takes the row over while the first push is still out (its lease ran
    // out): it finds a started push with no answer.
    const [row] = await db.query(
      `SELECT * FROM outbox WHERE kind = 'mpesa.stk_push' AND payload->>'paymentId' = $1`,
      [id],
    );
    await t.app.get(StkPushHandler).handle({
      ...(row as OutboxRow),
      payload: row.payload,
      attempts: 2,
      maxAttempts: row.max_attempts,
    });
    const pending = await waitForPayment(id, (p) => p.status === 'pending');
    expect(pending).toMatchObject({ checkout_request_id: null });
    expect(pending.result_desc).toContain('recorded no answer');
    // The first push's answer still lands (the process was slow, not dead): it is kept.
    const stored = await waitForPayment(id, (p) => p.checkout_request_id !== null);
    expect(stored.status).toBe('pending');
    await pinFor(inv.phone);
    await waitForPayment(id, (p) => p.status === 'succeeded');
    expect(await pushesTo(inv.phone)).toHaveLength(1);
  });

  it('settles an ambiguous push with its orphan success callback, matched by amount and time', async () => {
    const amount = uniqueAmount();
    const inv = await createInvoice(amount);
    await ambiguousPush();
    const id = await initiate(inv.ref);
    const pending = await waitForPayment(id, (p) => p.status === 'pending');
    expect(pending).toMatchObject({ checkout_request_id: null });
    expect(pending.push_started_at).not.toBeNull();

    const prompt = await pinFor(inv.phone);
    const paid = await waitForPayment(id, (p) => p.status === 'succeeded');
    expect(paid).toMatchObject({
      matched_by: 'amount_and_time',
      checkout_request_id: prompt.checkoutRequestId,
      paid_amount: amount,
      mpesa_receipt: expect.stringMatching(/^[A-Z0-9]{10}$/),
      overpaid_amount: null,
    });
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: amount });
    expect(await confirmSources(inv.id)).toEqual(['webhook:mpesa:matched']);
    expect(await pushesTo(inv.phone)).toHaveLength(1);
    expect((await drift()).filter((d) => d.invoiceId === inv.id)).toEqual([]);
  });

  it('matches a success that arrived before its push was found ambiguous', async () => {
    const amount = uniqueAmount();
    const inv = await createInvoice(amount);
    await ctl('settings', { mode: 'interactive' });
    await ctl('faults', {
      target: 'push',
      kind: 'delay',
      delayMs: 5_000,
      afterProcessing: true,
      count: 1,
    });
    const id = await initiate(inv.ref);
    // The customer pays while the push's answer is still on its way...
    await pinFor(inv.phone);
    await waitFor(async () => {
      const [row] = await db.query(
        `SELECT count(*)::int AS n FROM inbound_events WHERE provider = 'mpesa' AND processed_at IS NULL AND external_id LIKE '%:0'`,
      );
      return row.n > 0;
    });
    // ...and the process handling it dies: the next run finds a started push, no answer.
    await db.query(
      `UPDATE outbox SET claimed_by = 'dispatcher-dead', claim_expires_at = $2
        WHERE kind = 'mpesa.stk_push' AND payload->>'paymentId' = $1`,
      [id, new Date(clock.now().getTime() - 1)],
    );
    const paid = await waitForPayment(id, (p) => p.status === 'succeeded');
    expect(paid.paid_amount).toBe(amount);
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: amount });
  });

  it('holds an orphan success that matches two pushes for review; an operator gives it to one', async () => {
    const amount = uniqueAmount();
    const a = await createInvoice(amount);
    const b = await createInvoice(amount);
    await ambiguousPush(2);
    const idA = await initiate(a.ref);
    const idB = await initiate(b.ref);
    await waitForPayment(idA, (p) => p.status === 'pending');
    await waitForPayment(idB, (p) => p.status === 'pending');

    const callback = successCallback('ws_CO_ORPHAN_REVIEW', amount, new Date());
    await postCallback(callback);
    const heldA = await waitForPayment(idA, (p) => p.status === 'review');
    const heldB = await payment(idB);
    expect(heldB.status).toBe('review');
    expect(heldA.review_event_id).not.toBeNull();
    expect(heldB.review_event_id).toBe(heldA.review_event_id);
    expect(heldA.flagged_reason).toContain('matches 2 unanswered pushes');
    const reviews = (await drift()).filter((d) => d.issue === 'orphan_review');
    expect(reviews.map((d) => d.paymentId).sort()).toEqual([idA, idB].sort());

    await request(t.url)
      .post(`/admin/payments/${idA}/review`)
      .set(admin)
      .send({ decision: 'accept', note: 'Payer found in the M-PESA portal' })
      .expect(200);
    const receipt = callback.Body.stkCallback.CallbackMetadata.Item[1].Value;
    expect(await payment(idA)).toMatchObject({
      status: 'succeeded',
      matched_by: 'review',
      checkout_request_id: 'ws_CO_ORPHAN_REVIEW',
      mpesa_receipt: receipt,
    });
    expect(await invoice(a.id)).toMatchObject({ state: 'PAID', amount_paid: amount });
    const twice = await request(t.url)
      .post(`/admin/payments/${idB}/review`)
      .set(admin)
      .send({ decision: 'accept', note: 'again' })
      .expect(409);
    expect(twice.body.code).toBe('callback_already_matched');
    await request(t.url)
      .post(`/admin/payments/${idB}/review`)
      .set(admin)
      .send({ decision: 'reject', note: 'Not this customer' })
      .expect(200);
    expect(await invoice(b.id)).toMatchObject({ state: 'FAILED', amount_paid: 0 });
  });

  it('waits out the prompt before telling anyone an ambiguous push failed; a later success still settles it', async () => {
    const amount = uniqueAmount();
    const inv = await createInvoice(amount);
    await ambiguousPush();
    const id = await initiate(inv.ref);
    await waitForPayment(id, (p) => p.status === 'pending');
    clock.advance(60_000);
    await sleep(1_500);
    expect(await payment(id)).toMatchObject({ status: 'pending' });
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAYMENT_INIT' });

    clock.advance(121_000);
    await waitForPayment(id, (p) => p.status === 'failed' && p.outcome === 'timeout');
    expect(await invoice(inv.id)).toMatchObject({ state: 'FAILED' });

    await pinFor(inv.phone);
    const paid = await waitForPayment(id, (p) => p.status === 'succeeded');
    expect(paid).toMatchObject({ matched_by: 'amount_and_time', overpaid_amount: null });
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: amount });
  });

  it('records money for a given-up attempt as an overpayment when another attempt paid first', async () => {
    const amount = uniqueAmount();
    const inv = await createInvoice(amount);
    await ambiguousPush();
    const first = await initiate(inv.ref);
    await waitForPayment(first, (p) => p.status === 'pending');
    const firstPrompt = await promptFor(inv.phone);
    const pushedAt = new Date();
    clock.advance(181_000);
    await waitForPayment(first, (p) => p.status === 'failed' && p.outcome === 'timeout');
    // The phone's prompt ends too, so M-PESA takes the next push.
    await ctl(`prompts/${firstPrompt.checkoutRequestId}/respond`, { action: 'timeout' });

    const second = await initiate(inv.ref);
    const secondPrompt = await waitFor(async () =>
      (await pushesTo(inv.phone)).find(
        (p) => p.status === 'pending' && p.checkoutRequestId !== firstPrompt.checkoutRequestId,
      ),
    );
    await ctl(`prompts/${secondPrompt.checkoutRequestId}/respond`, { action: 'pin' });
    await waitForPayment(second, (p) => p.status === 'succeeded');
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: amount });

    // Then M-PESA reports that the first prompt was paid after all.
    await postCallback(successCallback(firstPrompt.checkoutRequestId, amount, pushedAt));
    const late = await waitForPayment(first, (p) => p.status === 'succeeded');
    expect(late).toMatchObject({ overpaid_amount: amount, paid_amount: amount });
    expect(late.flagged_reason).toContain('refund due');
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: amount });

    const flagged = (await drift()).find((d) => d.paymentId === first);
    expect(flagged).toMatchObject({ issue: 'overpayment' });
    const detail = await request(t.url).get(`/admin/invoices/${inv.ref}`).set(admin).expect(200);
    expect(JSON.stringify(detail.body)).toContain(`"overpaidAmount":${amount}`);
    const csv = await request(t.url).get(`/admin/invoices.csv?q=${inv.ref}`).set(admin).expect(200);
    const [header, row] = csv.text.trim().split('\n');
    const cells = Object.fromEntries(header.split(',').map((h, i) => [h, row.split(',')[i]]));
    expect(cells).toMatchObject({ refund_due: String(amount), balance: '0' });
  });

  it("never credits a retry's early callback to the earlier, timed-out attempt", async () => {
    const amount = uniqueAmount();
    const inv = await createInvoice(amount);
    await ambiguousPush();
    const first = await initiate(inv.ref);
    await waitForPayment(first, (p) => p.status === 'pending');
    const firstPrompt = await promptFor(inv.phone);
    await ctl(`prompts/${firstPrompt.checkoutRequestId}/respond`, { action: 'timeout' });
    clock.advance(181_000);
    await waitForPayment(first, (p) => p.status === 'failed' && p.outcome === 'timeout');

    // The customer taps Pay again; this push's answer is slow, its success callback is not.
    await ctl('faults', {
      target: 'push',
      kind: 'delay',
      delayMs: 4_000,
      afterProcessing: true,
      count: 1,
    });
    const second = await initiate(inv.ref);
    const secondPrompt = await waitFor(async () =>
      (await pushesTo(inv.phone)).find(
        (p) => p.status === 'pending' && p.checkoutRequestId !== firstPrompt.checkoutRequestId,
      ),
    );
    await postCallback(successCallback(secondPrompt.checkoutRequestId, amount, clock.now()));
    expect(await payment(first)).toMatchObject({ status: 'failed', checkout_request_id: null });

    const paid = await waitForPayment(second, (p) => p.status === 'succeeded');
    expect(paid).toMatchObject({
      checkout_request_id: secondPrompt.checkoutRequestId,
      matched_by: 'checkout_request_id',
    });
    expect(await payment(first)).toMatchObject({ status: 'failed', overpaid_amount: null });
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: amount });
  });

  it('settles a payment that a failure answer had ended when M-PESA then reports success', async () => {
    const inv = await createInvoice(900);
    await ctl('next-outcome', { outcome: 'cancelled', phone: inv.phone, delayMs: 0 });
    const id = await initiate(inv.ref);
    const failed = await waitForPayment(id, (p) => p.status === 'failed');
    expect(failed.outcome).toBe('cancelled');
    await postCallback(successCallback(failed.checkout_request_id, 900, new Date()));
    const paid = await waitForPayment(id, (p) => p.status === 'succeeded');
    expect(paid.matched_by).toBe('checkout_request_id');
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: 900 });
  });

  it('ends an attempt with a non-numeric ResultCode as unknown, lists it, and lets an operator settle it', async () => {
    const inv = await createInvoice(1200);
    await ctl('settings', { mode: 'interactive' });
    const id = await initiate(inv.ref);
    const pending = await waitForPayment(id, (p) => p.checkout_request_id !== null);
    await postCallback({
      Body: {
        stkCallback: {
          MerchantRequestID: pending.merchant_request_id,
          CheckoutRequestID: pending.checkout_request_id,
          ResultCode: 'SFC_IC0003',
          ResultDesc: 'Unexpected answer',
        },
      },
    });
    const ended = await waitForPayment(id, (p) => p.status === 'failed');
    expect(ended).toMatchObject({ outcome: 'unknown', result_code: null });
    expect(ended.result_desc).toBe('SFC_IC0003: Unexpected answer');
    expect(await invoice(inv.id)).toMatchObject({ state: 'FAILED' });
    expect((await drift()).find((d) => d.paymentId === id)).toMatchObject({
      issue: 'unknown_result',
    });

    await request(t.url)
      .post(`/admin/payments/${id}/review`)
      .set(admin)
      .send({ decision: 'accept', note: 'Paid, per the M-PESA portal' })
      .expect(200);
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID', amount_paid: 1200 });
    expect((await drift()).find((d) => d.paymentId === id)).toBeUndefined();
  });

  it('acknowledges and records callbacks PostgreSQL could not store as sent, changing nothing', async () => {
    const inv = await createInvoice(1300);
    await ctl('settings', { mode: 'interactive' });
    const id = await initiate(inv.ref);
    const pending = await waitForPayment(id, (p) => p.checkout_request_id !== null);
    const odd = [
      // NUL and a lone surrogate (jsonb refuses both), an Amount and a ResultCode past integer.
      successCallback('ws_CO_NUL\u0000\ud800', uniqueAmount(), new Date()),
      successCallback('ws_CO_HUGE_AMOUNT', 3_000_000_000, new Date()),
      {
        Body: {
          stkCallback: {
            MerchantRequestID: pending.merchant_request_id,
            CheckoutRequestID: pending.checkout_request_id,
            ResultCode: 3_000_000_000,
            ResultDesc: 'odd',
          },
        },
      },
    ];
    for (const body of odd) await postCallback(body);
    const ended = await waitForPayment(id, (p) => p.status === 'failed');
    expect(ended).toMatchObject({ outcome: 'unknown', result_code: null });
    expect(await invoice(inv.id)).toMatchObject({ state: 'FAILED', amount_paid: 0 });
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM inbound_events WHERE external_id LIKE 'ws_CO_NUL%' OR external_id LIKE 'ws_CO_HUGE_AMOUNT%'`,
    );
    expect(n).toBe(2);
  });

  it('retries a push refused by spike arrest as a definite refusal, never as ambiguous', async () => {
    const inv = await createInvoice(1500);
    await ctl('faults', {
      target: 'push',
      kind: 'error',
      httpStatus: 500,
      errorCode: '500.003.02',
      errorMessage: 'Spike arrest violation',
      count: 1,
    });
    const id = await initiate(inv.ref);
    const held = await waitForPayment(id, (p) => p.result_desc?.startsWith('last push refused: '));
    expect(held).toMatchObject({ status: 'initiating', push_started_at: null });
    expect(held.result_desc).toContain('500.003.02');
    clock.advance(5_000);
    await waitForPayment(id, (p) => p.status === 'succeeded');
    expect(await pushesTo(inv.phone)).toHaveLength(1);
    expect(await invoice(inv.id)).toMatchObject({ state: 'PAID' });
  });
});
