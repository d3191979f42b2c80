import { randomInt } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ManualClock } from '../../src/runtime/clock';
import { MachineRunner } from '../../src/runtime/machine-runner';
import { createTestApp, type TestApp } from '../utils/create-app';

const mobile = () => `+25472${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
const digits = (p: string) => p.replace(/\D/g, '');
const HOUR = 3_600_000;

/** Automatic reminders: database timers on the invoice machine, driven by a controllable clock. */
describe('automatic reminders', () => {
  let t: TestApp;
  let db: DataSource;
  let apiKey: string;
  const clock = new ManualClock('2026-03-02T07:00:00Z');

  const transcript = async (phone: string) => {
    const res = await fetch(`${t.url}/sandbox/whatsapp/control/users/${digits(phone)}/transcript`);
    const body = (await res.json()) as {
      messages: { kind: string; content: any; direction: string }[];
    };
    return body.messages;
  };
  const templates = async (phone: string, name: string) =>
    (await transcript(phone)).filter((m) => m.direction === 'outbound' && m.content?.name === name)
      .length;
  const waitFor = async <T>(
    what: string,
    probe: () => Promise<T | false | undefined>,
    ms = 15_000,
  ): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** Moves the clock and gives the 1-second pollers time to act on it. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    await new Promise((r) => setTimeout(r, 2_500));
  };
  const invoice = async (body: Record<string, unknown>) => {
    const res = await request(t.url)
      .post('/invoices')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send(body)
      .expect(201);
    await waitFor('the invoice to reach the customer', async () => {
      const [row] = await db.query(`SELECT state FROM invoices WHERE id = $1`, [res.body.id]);
      return row.state === 'SENT';
    });
    return res.body as { id: string; ref: string };
  };
  const timers = (invoiceId: string) =>
    db.query(
      `SELECT key, due_at, status FROM timers WHERE machine_kind = 'invoice' AND entity_id = $1 ORDER BY key`,
      [invoiceId],
    ) as Promise<{ key: string; due_at: Date; status: string }[]>;

  beforeAll(async () => {
    t = await createTestApp({}, { full: true, clock });
    db = t.app.get(DataSource);
    const admin = { Authorization: 'Bearer sandbox-admin-key-not-for-production' };
    const res = await request(t.url)
      .post('/admin/merchants')
      .set(admin)
      .send({
        name: 'Reminder Shop',
        phone: `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`,
      })
      .expect(201);
    apiKey = res.body.apiKey;
  });
  afterAll(() => t.close());

  it('without a due date: one reminder 24 h and one 72 h after delivery, none before, using the reminder template', async () => {
    const customer = mobile();
    const { id } = await invoice({
      customerPhone: customer,
      amount: 900,
      description: 'Tailoring',
    });
    const armed = await timers(id);
    expect(armed.map((r) => [r.key, new Date(r.due_at).toISOString(), r.status])).toEqual([
      [`invoice:${id}:reminder:0`, '2026-03-03T07:00:00.000Z', 'pending'],
      [`invoice:${id}:reminder:1`, '2026-03-05T07:00:00.000Z', 'pending'],
    ]);
    await advance(23 * HOUR);
    expect(await templates(customer, 'invoice_reminder')).toBe(0);
    await advance(HOUR + 60_000);
    await waitFor(
      'the first reminder',
      async () => (await templates(customer, 'invoice_reminder')) === 1,
    );
    await advance(48 * HOUR);
    await waitFor(
      'the second reminder',
      async () => (await templates(customer, 'invoice_reminder')) === 2,
    );
    await advance(72 * HOUR);
    expect(await templates(customer, 'invoice_reminder')).toBe(2);
  });

  it('with a due date: 3 days before, on the day and 3 days after, at 09:00 Nairobi', async () => {
    const { id } = await invoice({
      customerPhone: mobile(),
      amount: 500,
      description: 'School fees',
      dueDate: '2026-04-20',
    });
    const reminders = (await timers(id)).filter((r) => r.key.includes(':reminder:'));
    expect(reminders.map((r) => new Date(r.due_at).toISOString())).toEqual([
      '2026-04-17T06:00:00.000Z',
      '2026-04-20T06:00:00.000Z',
      '2026-04-23T06:00:00.000Z',
    ]);
  });

  it('stops once paid, cancelled, or after the customer sends STOP', async () => {
    const paidCustomer = mobile();
    const paid = await invoice({ customerPhone: paidCustomer, amount: 700, description: 'Cake' });
    await request(t.url)
      .post('/payments/stk/initiate')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ invoiceRef: paid.ref })
      .expect(202);
    await waitFor(
      'payment',
      async () =>
        (await db.query(`SELECT state FROM invoices WHERE id = $1`, [paid.id]))[0].state === 'PAID',
    );
    expect((await timers(paid.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);

    const cancelled = await invoice({
      customerPhone: mobile(),
      amount: 300,
      description: 'Repairs',
    });
    await t.app
      .get(MachineRunner)
      .send('invoice', cancelled.id, { type: 'CANCEL', by: 'merchant' }, { source: 'test' });
    expect((await timers(cancelled.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);

    const stopper = mobile();
    await invoice({ customerPhone: stopper, amount: 400, description: 'Shoes' });
    // STOP by SMS: inbound SMS feeds the same handling as WhatsApp.
    await fetch(`${t.url}/sandbox/africastalking/control/inbound`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: stopper, text: 'STOP' }),
    });
    await waitFor(
      'the opt-out',
      async () =>
        (await db.query(`SELECT opted_out_at FROM customers WHERE phone = $1`, [stopper]))[0]
          ?.opted_out_at,
    );

    await advance(25 * HOUR);
    expect(await templates(paidCustomer, 'invoice_reminder')).toBe(0);
    expect(await templates(stopper, 'invoice_reminder')).toBe(0);
  });

  it('expires an unpaid invoice 30 days after its due date: notices, pay page, payments refused', async () => {
    const due = new Date(clock.now().getTime() + 2 * 24 * HOUR).toISOString().slice(0, 10);
    const customer = mobile();
    const { id, ref } = await invoice({
      customerPhone: customer,
      amount: 450,
      description: 'Books',
      dueDate: due,
    });
    const [{ pay_token: token }] = await db.query(`SELECT pay_token FROM invoices WHERE id = $1`, [
      id,
    ]);
    await advance(33 * 24 * HOUR);
    await waitFor(
      'the invoice to expire',
      async () =>
        (await db.query(`SELECT state FROM invoices WHERE id = $1`, [id]))[0].state === 'EXPIRED',
    );
    const page = await request(t.url).get(`/pay/${token}`).expect(200);
    expect(page.text).toContain('This invoice has expired');
    expect(page.text).not.toContain('id="pay-form"');
    const refused = await request(t.url)
      .post('/payments/stk/initiate')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ invoiceRef: ref })
      .expect(409);
    expect(refused.body.code).toBe('invoice_expired');
    // The customer's WhatsApp window is closed and no template exists for this notice: SMS.
    await waitFor('the customer told', async () => {
      const res = await fetch(
        `${t.url}/sandbox/africastalking/control/inbox/${encodeURIComponent(customer)}`,
      );
      const inbox = (await res.json()) as { messages: { message: string }[] };
      return inbox.messages.some((m) => m.message.includes('has expired'));
    });
  });
});
