import { randomInt } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { PayPageModule } from '../../src/pay-page/pay-page.module';
import { extractPdfText } from '../../src/pay-page/receipt-pdf';
import { createTestApp, type TestApp } from '../utils/create-app';

const phone = () => `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pay page', () => {
  let t: TestApp;
  let db: DataSource;
  let apiKey: string;

  const createInvoice = async (amount = 1000, customerPhone = phone()) => {
    const res = await request(t.url)
      .post('/invoices')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ customerPhone, amount, description: 'Logo design', customerName: 'Wanjiku' })
      .expect(201);
    const [row] = await db.query(`SELECT pay_token FROM invoices WHERE id = $1`, [res.body.id]);
    return {
      id: res.body.id as string,
      ref: res.body.ref as string,
      token: row.pay_token as string,
      phone: customerPhone,
    };
  };
  const waitForPayment = async (token: string, statuses: string[]) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await request(t.url)
        .get(`/pay/${token}/status`)
        .set('Accept', 'application/json');
      if (statuses.includes(res.body.payment?.status)) return res.body;
      if (Date.now() > deadline)
        throw new Error(`payment never reached ${statuses.join('/')}: ${JSON.stringify(res.body)}`);
      await sleep(100);
    }
  };

  beforeAll(async () => {
    t = await createTestApp({}, { imports: [PayPageModule] });
    db = t.app.get(DataSource);
    const created = await t.app.get(MerchantsService).create(db.manager, {
      displayName: 'Duka la Mama <Njeri>',
      whatsappPhone: phone(),
      locale: 'en',
    });
    apiKey = created.apiKey;
  });
  afterAll(() => t.close());

  it('shows the invoice, escaped, with the customer number prefilled, under 50 KB with its CSS and JS', async () => {
    const invoice = await createInvoice();
    const page = await request(t.url).get(`/pay/${invoice.token}`).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain(invoice.ref);
    expect(page.text).toContain('Duka la Mama &lt;Njeri&gt;');
    expect(page.text).not.toContain('<Njeri>');
    expect(page.text).toContain('KES 1,000');
    expect(page.text).toMatch(/<label for="phone">/);
    expect(page.text).toContain(
      `value="0${invoice.phone.slice(4, 7)} ${invoice.phone.slice(7, 10)} ${invoice.phone.slice(10)}"`,
    );
    expect(page.text).toContain('Pay with M-PESA');
    const css = await request(t.url).get('/assets/pay.css').expect(200);
    const js = await request(t.url).get('/assets/pay.js').expect(200);
    const weight =
      Buffer.byteLength(page.text) + Buffer.byteLength(css.text) + Buffer.byteLength(js.text);
    expect(weight).toBeLessThan(50 * 1024);
  });

  it('speaks Swahili on request', async () => {
    const invoice = await createInvoice();
    const page = await request(t.url).get(`/pay/${invoice.token}?lang=sw`).expect(200);
    expect(page.text).toContain('Lipa kwa M-PESA');
    expect(page.text).toContain('lang="sw"');
  });

  it('never opens by ref, answers unknown tokens with a friendly 404, and a token shows only its invoice', async () => {
    const a = await createInvoice(1111);
    const b = await createInvoice(2222);
    const byRef = await request(t.url).get(`/pay/${a.ref}`).expect(404);
    expect(byRef.text).toContain('This payment link is not valid');
    await request(t.url)
      .get(`/pay/${'x'.repeat(43)}`)
      .expect(404);
    const page = await request(t.url).get(`/pay/${a.token}`).expect(200);
    expect(page.text).toContain(a.ref);
    expect(page.text).not.toContain(b.ref);
    expect(page.text).not.toContain('KES 2,222');
  });

  it('pays the balance: STK push, the simulator confirms, Paid with a receipt PDF', async () => {
    const invoice = await createInvoice(1000);
    const started = await request(t.url)
      .post(`/pay/${invoice.token}/pay`)
      .set('Accept', 'application/json')
      .send({ phone: invoice.phone })
      .expect(202);
    expect(started.body).toMatchObject({ status: 'started', paymentId: expect.any(String) });
    const status = await waitForPayment(invoice.token, ['succeeded']);
    expect(status).toMatchObject({ state: 'PAID', balance: 0 });
    expect(status.message).toMatch(/^Paid\. Thank you! Your M-PESA receipt is [A-Z0-9]{10}\.$/);

    const paidPage = await request(t.url).get(`/pay/${invoice.token}`).expect(200);
    expect(paidPage.text).toContain('This invoice is paid');
    expect(paidPage.text).not.toContain('id="pay-form"');

    const pdf = await request(t.url)
      .get(`/pay/${invoice.token}/receipt.pdf`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = extractPdfText(pdf.body as Buffer);
    const [payment] = await db.query(`SELECT mpesa_receipt FROM payments WHERE invoice_id = $1`, [
      invoice.id,
    ]);
    expect(text).toContain(payment.mpesa_receipt);
    expect(text).toContain('KES 1,000');
    expect(text).toContain('Duka la Mama <Njeri>');
    expect(text).toContain(invoice.ref);
    expect(text).not.toContain(invoice.phone.slice(4));
  });

  it('takes 400 + 600 as two payments, PAID only at balance 0, and refuses more than the balance', async () => {
    const invoice = await createInvoice(1000);
    await request(t.url)
      .post(`/pay/${invoice.token}/pay`)
      .set('Accept', 'application/json')
      .send({ phone: invoice.phone, amount: 400 })
      .expect(202);
    const first = await waitForPayment(invoice.token, ['succeeded']);
    expect(first).toMatchObject({ state: 'PARTIALLY_PAID', amountPaid: 400, balance: 600 });
    expect(first.message).toContain('Balance due: KES 600');

    const tooMuch = await request(t.url)
      .post(`/pay/${invoice.token}/pay`)
      .set('Accept', 'application/json')
      .send({ phone: invoice.phone, amount: 601 })
      .expect(400);
    expect(tooMuch.body.message).toBe('Enter a whole amount from 1 to KES 600.');

    const second = await request(t.url)
      .post(`/pay/${invoice.token}/pay`)
      .set('Accept', 'application/json')
      .send({ phone: invoice.phone, amount: 600 })
      .expect(202);
    const done = await waitForPayment(invoice.token, ['succeeded']);
    expect(done.payment.id).toBe(second.body.paymentId);
    expect(done).toMatchObject({ state: 'PAID', amountPaid: 1000, balance: 0 });

    const pdf = await request(t.url)
      .get(`/pay/${invoice.token}/receipt.pdf`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const text = extractPdfText(pdf.body as Buffer);
    expect(text).toContain('KES 400');
    expect(text).toContain('KES 600');
    expect(text).toContain('Balance due: KES 0');
  });

  it('refuses a bad phone in plain words and starts nothing', async () => {
    const invoice = await createInvoice();
    const res = await request(t.url)
      .post(`/pay/${invoice.token}/pay?lang=sw`)
      .set('Accept', 'application/json')
      .send({ phone: '12345' })
      .expect(400);
    expect(res.body.message).toBe('Weka nambari ya simu ya Kenya, kama 0712 345 678.');
    const [row] = await db.query(`SELECT count(*)::int AS n FROM payments WHERE invoice_id = $1`, [
      invoice.id,
    ]);
    expect(row.n).toBe(0);
  });

  it('shows a cancelled payment in plain words and lets the customer try again', async () => {
    const invoice = await createInvoice(1032); // the simulator's magic amount: the customer cancels
    await request(t.url)
      .post(`/pay/${invoice.token}/pay`)
      .set('Accept', 'application/json')
      .send({ phone: invoice.phone, amount: 1032 })
      .expect(202);
    const failed = await waitForPayment(invoice.token, ['failed']);
    expect(failed.payment.outcome).toBe('cancelled');
    expect(failed.message).toMatch(/cancel/i);
    expect(failed.state).toBe('FAILED');
  });
});
