import { randomInt } from 'node:crypto';
import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-app';

/**
 * The product end to end, as `npm start` runs it: merchant and customer talk to the real
 * webhooks through the WhatsApp and Africa's Talking simulators, M-PESA is the Daraja simulator.
 */
const mobile = (prefix: string) =>
  `+254${prefix}${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
const digits = (phone: string) => phone.replace(/\D/g, '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Entry {
  id: string;
  direction: string;
  kind: string;
  preview: string;
  content: unknown;
}

describe('the whole flow over the simulators', () => {
  let t: TestApp;
  const admin = { Authorization: 'Bearer sandbox-admin-key-not-for-production' };

  const control = async (path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${t.url}/sandbox/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const transcript = async (phone: string): Promise<Entry[]> =>
    (await control(`whatsapp/control/users/${digits(phone)}/transcript`)).messages;
  const inbox = async (phone: string): Promise<{ message: string }[]> =>
    (await control(`africastalking/control/inbox/${encodeURIComponent(phone)}`)).messages;
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
  const outbound = (phone: string, after: number, match: (e: Entry) => boolean, what: string) =>
    waitFor(what, async () =>
      (await transcript(phone)).slice(after).find((e) => e.direction === 'outbound' && match(e)),
    );
  const sms = (phone: string, after: number, match: (text: string) => boolean, what: string) =>
    waitFor(what, async () => (await inbox(phone)).slice(after).find((m) => match(m.message)));
  const merchant = async () => {
    const phone = mobile('71');
    await request(t.url)
      .post('/admin/merchants')
      .set(admin)
      .send({ name: 'Kamau Designs', phone, locale: 'en' })
      .expect(201);
    return phone;
  };

  beforeAll(async () => {
    t = await createTestApp({}, { full: true });
  });
  afterAll(() => t.close());

  it('WhatsApp: one-line invoice, the customer pays with the Pay button, both get receipts', async () => {
    const merchantPhone = await merchant();
    const customer = mobile('72');
    await control(`whatsapp/control/users/${digits(merchantPhone)}/inbound`, {
      text: `invoice 0${customer.slice(4, 7)} ${customer.slice(7, 10)} ${customer.slice(10)} 1,500 Logo design`,
    });

    const invoice = await outbound(
      customer,
      0,
      (e) => JSON.stringify(e.content).includes('pay:INV-'),
      'the invoice to the customer',
    );
    const ref = /INV-[A-Z0-9]+/.exec(JSON.stringify(invoice.content))![0];
    const summary = await outbound(
      merchantPhone,
      0,
      (e) => e.preview.includes(ref),
      'the summary to the merchant',
    );
    expect(JSON.stringify(summary.content)).toMatch(/Remind/);
    expect(JSON.stringify(summary.content)).toMatch(/Cancel/);

    const before = (await transcript(customer)).length;
    const merchantBefore = (await transcript(merchantPhone)).length;
    await control(`whatsapp/control/users/${digits(customer)}/inbound`, {
      templateButtonPayload: `pay:${ref}`,
    });
    const receipt = await outbound(
      customer,
      before,
      (e) => /receipt|[A-Z0-9]{10}/i.test(e.preview) && e.preview.includes('1,500'),
      'the receipt to the customer',
    );
    expect(receipt.preview).toMatch(/[A-Z0-9]{10}/);
    await outbound(
      merchantPhone,
      merchantBefore,
      (e) => e.preview.includes(ref) && /paid/i.test(e.preview),
      'the paid notice to the merchant',
    );
    // The PDF receipt follows as a WhatsApp document, by link to the pay page.
    const document = await outbound(
      customer,
      before,
      (e) => e.kind === 'document',
      'the PDF receipt',
    );
    const link = (document.content as { link: string }).link;
    expect(link).toMatch(/\/pay\/[A-Za-z0-9_-]{43}\/receipt\.pdf$/);
    const pdf = await fetch(link.replace(/^https?:\/\/[^/]+/, t.url));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
  });

  it('SMS: the merchant invoices by SMS, the customer pays with "PAY <ref>" by SMS', async () => {
    const merchantPhone = await merchant();
    const customer = mobile('73');
    await control(`whatsapp/control/users/${digits(customer)}/settings`, { notOnWhatsApp: true });
    await control('africastalking/control/inbound', {
      from: merchantPhone,
      text: `invoice ${customer} 800 Cake`,
    });

    const reply = await sms(
      merchantPhone,
      0,
      (text) => /INV-[A-Z0-9]+/.test(text),
      'the summary by SMS to the merchant',
    );
    const ref = /INV-[A-Z0-9]+/.exec(reply.message)![0];
    const invoiceSms = await sms(
      customer,
      0,
      (text) => text.includes(ref) && text.includes('/pay/'),
      'the invoice by SMS to the customer',
    );
    expect(invoiceSms.message).toMatch(/PAY INV-/i);

    const count = (await inbox(customer)).length;
    await control('africastalking/control/inbound', { from: customer, text: `PAY ${ref}` });
    await sms(
      customer,
      count,
      (text) => /receipt|risiti/i.test(text) || /[A-Z0-9]{10}/.test(text),
      'the receipt by SMS',
    );
    const timeline = await waitFor('the invoice to be paid', async () => {
      const res = await request(t.url).get(
        `/sandbox/api/timeline?phone=${encodeURIComponent(customer)}`,
      );
      return res.body.invoice?.state === 'PAID' && res.body;
    });
    const row = timeline.invoice;
    // The fallback and the provider calls show on /metrics.
    const metrics = (await request(t.url).get('/metrics').expect(200)).text;
    expect(
      Number(/^invoiceiq_sms_fallbacks_total (\d+)/m.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(
      /invoiceiq_provider_errors_total\{provider="whatsapp",operation="send",code="131026"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /invoiceiq_provider_request_duration_seconds_count\{provider="sms",operation="send",result="ok"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /invoiceiq_provider_request_duration_seconds_count\{provider="daraja",operation="stk_push",result="ok"\} [1-9]/,
    );
    expect(row).toMatchObject({ ref, state: 'PAID', amountPaid: 800 });
  });

  it("a stranger's PAY starts nothing", async () => {
    const merchantPhone = await merchant();
    const customer = mobile('74');
    await control(`whatsapp/control/users/${digits(merchantPhone)}/inbound`, {
      text: `invoice ${customer} 600 Repairs`,
    });
    const invoice = await outbound(
      customer,
      0,
      (e) => JSON.stringify(e.content).includes('pay:INV-'),
      'the invoice',
    );
    const ref = /INV-[A-Z0-9]+/.exec(JSON.stringify(invoice.content))![0];
    const stranger = mobile('75');
    const pushesBefore = (await control('daraja/control/pushes')).pushes.length;
    await control('africastalking/control/inbound', { from: stranger, text: `PAY ${ref}` });
    await sms(stranger, 0, (text) => text.length > 0, 'a polite answer to the stranger');
    expect((await control('daraja/control/pushes')).pushes.length).toBe(pushesBefore);
  });
});
