import request from 'supertest';
import { DataSource } from 'typeorm';
import { InvoicesModule } from '../../src/invoices/invoices.module';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { PaymentsModule } from '../../src/payments/payments.module';
import { ManualClock } from '../../src/runtime/clock';
import { createTestApp, type TestApp } from '../utils/create-app';
import { darajaControl, newSafaricomPhone, waitFor } from '../utils/daraja-control';

/**
 * Daraja throttling on the whole payment path (outbox → StkPushHandler → DarajaClient → the
 * simulator): a push refused by spike arrest or quota reached nobody, so it is retried with the
 * outbox's backoff and jitter, and never treated as "maybe sent".
 */
describe('Daraja throttling on the payment path', () => {
  let t: TestApp;
  let db: DataSource;
  let clock: ManualClock;
  let apiKey: string;

  const ctl = darajaControl(() => t.url);
  const payment = async (id: string) =>
    (await db.query(`SELECT * FROM payments WHERE id = $1`, [id]))[0];
  const pushRow = async (paymentId: string) =>
    (
      await db.query(
        `SELECT status, attempts, last_error, next_attempt_at FROM outbox
          WHERE kind = 'mpesa.stk_push' AND payload->>'paymentId' = $1`,
        [paymentId],
      )
    )[0];
  const payInvoice = async (amount: number) => {
    const phone = newSafaricomPhone();
    const created = await request(t.url)
      .post('/invoices')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ customerPhone: phone, amount, description: 'Logo design' })
      .expect(201);
    const started = await request(t.url)
      .post('/payments/stk/initiate')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ invoiceRef: created.body.ref })
      .expect(202);
    return {
      invoiceId: created.body.id as string,
      paymentId: started.body.paymentId as string,
      msisdn: `254${phone.slice(4)}`,
    };
  };

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await createTestApp({}, { imports: [InvoicesModule, PaymentsModule], clock });
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
    await ctl('reset', {});
    await ctl('settings', { defaultDelayMs: 50 });
  });

  it.each([
    ['spike arrest', '500.003.02', 'Spike Arrest Violation'],
    ['quota', '500.003.03', 'Quota Violation'],
  ])(
    '%s on a push: retried with backoff, not ambiguous, and paid by the one prompt',
    async (_name, errorCode, errorMessage) => {
      await ctl('faults', { target: 'push', kind: 'error', errorCode, errorMessage });
      const { invoiceId, paymentId, msisdn } = await payInvoice(1500);

      // The refusal is recorded as a retry of the same outbox row, a little later.
      const row = await waitFor(async () => {
        const r = await pushRow(paymentId);
        return r?.status === 'pending' && r.attempts === 1 && r;
      });
      expect(row.last_error).toContain(errorCode);
      expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(clock.now().getTime());
      const held = await payment(paymentId);
      // Not "outcome unknown": no query, no 3-minute wait, the payment simply has not started.
      expect(held).toMatchObject({ status: 'initiating', checkout_request_id: null });
      expect(held.result_desc ?? '').not.toContain('outcome unknown');
      expect((await ctl('pushes')).pushes).toHaveLength(0);

      // The backoff passes: the same attempt is pushed again, and paid.
      clock.advance(2_500);
      const paid = await waitFor(async () => {
        const p = await payment(paymentId);
        return p?.status === 'succeeded' && p;
      });
      expect(paid).toMatchObject({ attempt: 1, outcome: 'paid', paid_amount: 1500 });
      expect(await pushRow(paymentId)).toMatchObject({ status: 'done', attempts: 2 });
      const prompts = ((await ctl('pushes')).pushes as { phone: string }[]).filter(
        (p) => p.phone === msisdn,
      );
      expect(prompts).toHaveLength(1);
      const { requests } = await ctl('requests?kind=push');
      expect((requests as { status: number }[]).map((r) => r.status)).toEqual([500, 200]);
      const [invoice] = await db.query(`SELECT state, amount_paid FROM invoices WHERE id = $1`, [
        invoiceId,
      ]);
      expect(invoice).toEqual({ state: 'PAID', amount_paid: 1500 });
    },
  );
});
