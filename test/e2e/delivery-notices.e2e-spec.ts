import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DeliveryModule } from '../../src/channels/delivery/delivery.module';
import { DeliveryService } from '../../src/channels/delivery/delivery.service';
import { ChannelSendHandler } from '../../src/channels/delivery/channel-send.handler';
import type { InboundMessage } from '../../src/common/messaging/inbound-message.port';
import { BotService } from '../../src/conversations/bot.service';
import { InboundModule } from '../../src/inbound/inbound.module';
import {
  MESSAGE_SEND,
  type OutboundMessagePayload,
} from '../../src/common/messaging/outbound-message';
import { InvoicesModule } from '../../src/invoices/invoices.module';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { ManualClock } from '../../src/runtime/clock';
import { MachineRunner } from '../../src/runtime/machine-runner';
import { enqueueOutbox } from '../../src/runtime/outbox';
import type { OutboxRow } from '../../src/runtime/outbox';
import { RuntimeSignals } from '../../src/runtime/runtime-signals';
import { createTestApp, type TestApp } from '../utils/create-app';

const newPhone = (): string => `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

/**
 * Stands in for the bot from the start (the outbox drains at bootstrap): records what the
 * inbound queue hands it, and never answers, so no greeting joins a test's transcript.
 */
const botReceived: InboundMessage[] = [];
function standInForTheBot(): void {
  jest.spyOn(BotService.prototype, 'handle').mockImplementation((msg: InboundMessage) => {
    botReceived.push(msg);
    return Promise.resolve();
  });
}

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('delivery: message.send, inbound port, invoice notices', () => {
  let t: TestApp;
  let db: DataSource;
  let apiKey: string;
  let merchantPhone: string;

  beforeAll(async () => {
    standInForTheBot();
    t = await createTestApp(
      {},
      {
        imports: [InvoicesModule, DeliveryModule, InboundModule],
        clock: new ManualClock(new Date()),
      },
    );
    db = t.app.get(DataSource);
    merchantPhone = newPhone();
    apiKey = (
      await t.app
        .get(MerchantsService)
        .create(db.manager, { displayName: 'Duka Bora', whatsappPhone: merchantPhone })
    ).apiKey;
  });
  afterAll(async () => {
    await t?.close();
    jest.restoreAllMocks();
  });

  const inbox = async (phone: string): Promise<{ message: string; messageId: string }[]> =>
    (await request(t.url).get(`/sandbox/africastalking/control/inbox/${phone}`).expect(200)).body
      .messages;
  const transcript = async (phone: string) =>
    (
      (await request(t.url).get(`/sandbox/whatsapp/control/users/${phone}/transcript`).expect(200))
        .body.messages as {
        direction: string;
        kind: string;
        content: Record<string, unknown>;
        preview: string;
      }[]
    ).filter((m) => m.direction === 'outbound');
  const deliveriesFor = (where: string, params: unknown[]) =>
    db.query(
      `SELECT id, purpose, recipient, channel_policy, state, delivered_via FROM deliveries WHERE ${where} ORDER BY created_at`,
      params,
    ) as Promise<
      {
        id: string;
        purpose: string;
        recipient: string;
        channel_policy: string;
        state: string;
        delivered_via: string | null;
      }[]
    >;
  const putMessageSend = (payload: OutboundMessagePayload) =>
    t.app.get(RuntimeSignals).transaction(async (manager) => {
      const key = `test:${randomUUID()}`;
      await enqueueOutbox(manager, t.app.get(RuntimeSignals), {
        kind: MESSAGE_SEND,
        idempotencyKey: key,
        payload,
      });
      const [row] = await manager.query(`SELECT id FROM outbox WHERE idempotency_key = $1`, [key]);
      return String(row.id);
    });
  const deliveryOfRow = (rowId: string) =>
    eventually(
      () => deliveriesFor('idempotency_key = $1', [`message.send:${rowId}`]),
      (d) => d.length === 1 && ['DELIVERED', 'SMS_SENT', 'FAILED'].includes(d[0].state),
      `the delivery of outbox row ${rowId}`,
    ).then((d) => d[0]);

  it('message.send with a pinned policy never falls back', async () => {
    const phone = newPhone();
    await request(t.url)
      .post(`/sandbox/whatsapp/control/users/${phone}/settings`)
      .send({ notOnWhatsApp: true })
      .expect(200);
    const whatsappOnly = await deliveryOfRow(
      await putMessageSend({
        to: phone,
        channel: 'whatsapp',
        purpose: 'bot_reply',
        content: { type: 'text', body: 'Sawa!' },
      }),
    );
    expect(whatsappOnly).toMatchObject({ state: 'FAILED', channel_policy: 'whatsapp' });
    expect(await inbox(phone)).toEqual([]);

    const smsOnly = await deliveryOfRow(
      await putMessageSend({
        to: phone,
        channel: 'sms',
        purpose: 'bot_reply',
        content: {
          type: 'buttons',
          body: 'Pay now?',
          buttons: [{ id: 'pay:INV-1', title: 'Pay' }],
        },
        smsText: 'Reply PAY INV-1 to pay.',
      }),
    );
    expect(smsOnly).toMatchObject({ state: 'SMS_SENT', delivered_via: 'sms' });
    expect((await inbox(phone)).map((m) => m.message)).toEqual(['Reply PAY INV-1 to pay.']);
    expect(await transcript(phone)).toEqual([]);
  });

  it('message.send auto: free text outside the window falls back (131047), inside it goes on WhatsApp', async () => {
    const phone = newPhone();
    const text = (body: string): OutboundMessagePayload => ({
      to: phone.replace('+254', '0'),
      channel: 'auto',
      purpose: 'bot_reply',
      content: { type: 'text', body },
    });
    const closed = await deliveryOfRow(await putMessageSend(text('Habari!')));
    expect(closed).toMatchObject({ state: 'SMS_SENT', recipient: phone });
    expect((await inbox(phone)).map((m) => m.message)).toEqual(['Habari!']);

    await request(t.url)
      .post(`/sandbox/whatsapp/control/users/${phone}/inbound`)
      .send({ text: 'Niko hapa' })
      .expect(200);
    const open = await deliveryOfRow(await putMessageSend(text('Karibu tena!')));
    expect(open).toMatchObject({ state: 'DELIVERED', delivered_via: 'whatsapp' });
    expect((await transcript(phone)).map((m) => m.preview)).toEqual(['Karibu tena!']);

    const service = t.app.get(DeliveryService);
    const payload: OutboundMessagePayload = {
      to: phone,
      channel: 'sms',
      purpose: 'test',
      content: { type: 'text', body: 'once' },
    };
    const key = `test:${randomUUID()}`;
    const first = await service.send(payload, { key });
    const second = await service.send(payload, { key });
    expect(first.created).toBe(true);
    expect(second).toEqual({ deliveryId: first.deliveryId, created: false });
    await expect(service.send({ ...payload, to: '12345' }, { key: `x:${key}` })).rejects.toThrow(
      /Kenyan mobile/,
    );
  });

  it('a send handler re-run after a crash does not send the SMS twice', async () => {
    const phone = newPhone();
    const { deliveryId } = await t.app.get(DeliveryService).send(
      {
        to: phone,
        channel: 'sms',
        purpose: 'test',
        content: { type: 'text', body: 'only once' },
      },
      { key: `test:${randomUUID()}` },
    );
    await eventually(
      () => deliveriesFor('id = $1', [deliveryId]),
      (d) => d[0]?.state === 'SMS_SENT',
      'the SMS sent',
    );
    const [row] = await db.query(
      `SELECT id, kind, payload, idempotency_key, machine_kind, entity_id FROM outbox
        WHERE entity_id = $1 AND kind = 'sms.send'`,
      [deliveryId],
    );
    // As if the process died after Africa's Talking accepted, before the machine heard of it.
    await db.query(`UPDATE deliveries SET state = 'SMS_PENDING' WHERE id = $1`, [deliveryId]);
    const result = await t.app.get(ChannelSendHandler).handle('sms', {
      id: String(row.id),
      kind: row.kind,
      payload: row.payload,
      idempotencyKey: row.idempotency_key,
      machineKind: row.machine_kind,
      entityId: row.entity_id,
    } as OutboxRow);
    const [sms] = await inbox(phone);
    expect(result).toEqual({
      status: 'done',
      event: { type: 'SEND_ACCEPTED', channel: 'sms', providerMessageId: sms.messageId },
    });
    expect(await inbox(phone)).toHaveLength(1);
  });

  it('inbound WhatsApp messages reach the bot after the window is recorded', async () => {
    const phone = newPhone();
    const received = botReceived;
    await request(t.url)
      .post(`/sandbox/whatsapp/control/users/${phone}/inbound`)
      .send({ templateButtonPayload: 'pay:INV-ABC234', profileName: 'Wanjiru' })
      .expect(200);
    const got = await eventually(
      () => Promise.resolve(received.filter((m) => m.from === phone)),
      (m) => m.length === 1,
      'the inbound message at the bot',
    );
    expect(got[0]).toMatchObject({
      channel: 'whatsapp',
      type: 'button',
      buttonId: 'pay:INV-ABC234',
      from: phone,
      profileName: 'Wanjiru',
    });
    expect(got[0].id).toMatch(/^wamid\./);
  });

  it('inbound SMS reach the same bot', async () => {
    const phone = newPhone();
    const received = botReceived;
    const res = await request(t.url)
      .post('/sandbox/africastalking/control/inbound')
      .send({ from: phone.replace('+254', '0'), text: 'PAY INV-ABC234' })
      .expect(200);
    expect(res.body.callbackStatus).toBe(200);
    const got = await eventually(
      () => Promise.resolve(received.filter((m) => m.from === phone)),
      (m) => m.length === 1,
      'the inbound SMS at the bot',
    );
    expect(got).toEqual([
      expect.objectContaining({
        channel: 'sms',
        type: 'text',
        text: 'PAY INV-ABC234',
        id: res.body.id,
      }),
    ]);
  });

  it('paid: the customer gets the payment_receipt template, the merchant a notice by SMS', async () => {
    const phone = newPhone();
    const res = await request(t.url)
      .post('/invoices')
      .set('Authorization', `Bearer ${apiKey}`)
      .send({ customerPhone: phone, customerName: 'Kamau', amount: 700, description: 'Vegetables' })
      .expect(201);
    const invoice = res.body as { id: string; ref: string };
    await eventually(
      () => deliveriesFor(`invoice_id = $1 AND purpose = 'invoice'`, [invoice.id]),
      (d) => d[0]?.state === 'DELIVERED',
      'the invoice delivered',
    );
    const paymentId = randomUUID();
    await db.query(
      `INSERT INTO payments (id, invoice_id, attempt, phone, amount, status, mpesa_receipt, paid_amount, completed_at)
       VALUES ($1, $2, 1, $3, 700, 'succeeded', 'SGH12ABC34', 700, now())`,
      [paymentId, invoice.id, phone],
    );
    const runner = t.app.get(MachineRunner);
    await runner.send(
      'invoice',
      invoice.id,
      { type: 'PAYMENT_REQUESTED', paymentId, amount: 700 },
      { source: 'test' },
    );
    await runner.send(
      'invoice',
      invoice.id,
      { type: 'PAYMENT_CONFIRMED', paymentId, amount: 700, receipt: 'SGH12ABC34' },
      { source: 'test' },
    );
    await eventually(
      async () => (await transcript(phone)).map((m) => m.content.name),
      (names) => names.includes('payment_receipt'),
      'the receipt template',
    );
    const receipt = (await transcript(phone)).find((m) => m.content.name === 'payment_receipt');
    expect(JSON.stringify(receipt?.content)).toContain('SGH12ABC34');
    // The merchant first heard the invoice went out ("sent … by WhatsApp"), then that it is paid.
    const notice = await eventually(
      async () =>
        (await inbox(merchantPhone)).filter(
          (m) => m.message.includes(invoice.ref) && m.message.includes('paid'),
        ),
      (m) => m.length === 1,
      'the merchant notice',
    );
    expect(notice[0].message).toBe(
      `Kamau paid KES 700 for invoice ${invoice.ref}.\nM-PESA receipt: SGH12ABC34\nBalance: KES 0`,
    );
  });

  it('REMIND sends the invoice_reminder template; not to a customer who opted out', async () => {
    const phone = newPhone();
    const res = await request(t.url)
      .post('/invoices')
      .set('Authorization', `Bearer ${apiKey}`)
      .send({ customerPhone: phone, customerName: 'Auma', amount: 2500, description: 'Tailoring' })
      .expect(201);
    const invoice = res.body as { id: string; ref: string };
    await eventually(
      () => deliveriesFor(`invoice_id = $1 AND purpose = 'invoice'`, [invoice.id]),
      (d) => d[0]?.state === 'DELIVERED',
      'the invoice delivered',
    );
    const runner = t.app.get(MachineRunner);
    await runner.send('invoice', invoice.id, { type: 'REMIND', by: 'test' }, { source: 'test' });
    await eventually(
      () => deliveriesFor(`invoice_id = $1 AND purpose = 'reminder'`, [invoice.id]),
      (d) => d[0]?.state === 'DELIVERED',
      'the reminder delivered',
    );
    const [, reminder] = await transcript(phone);
    expect(reminder.content).toMatchObject({
      name: 'invoice_reminder',
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Auma' },
            { type: 'text', text: 'KES 2,500' },
            { type: 'text', text: invoice.ref },
          ],
        },
        { type: 'button', parameters: [{ type: 'payload', payload: `pay:${invoice.ref}` }] },
      ],
    });

    await db.query(`UPDATE customers SET opted_out_at = now() WHERE phone = $1`, [phone]);
    await runner.send('invoice', invoice.id, { type: 'REMIND', by: 'test' }, { source: 'test' });
    await eventually(
      () =>
        db.query(`SELECT status FROM outbox WHERE idempotency_key = $1`, [
          `invoice:${invoice.id}:invoice.deliver:deliver:3`,
        ]),
      (r: { status: string }[]) => r[0]?.status === 'done',
      'the skipped reminder row',
    );
    expect(
      await deliveriesFor(`invoice_id = $1 AND purpose = 'reminder'`, [invoice.id]),
    ).toHaveLength(1);
  });

  it('cancelled: the customer who had the invoice and the merchant are told', async () => {
    const phone = newPhone();
    const res = await request(t.url)
      .post('/invoices')
      .set('Authorization', `Bearer ${apiKey}`)
      .send({
        customerPhone: phone,
        customerName: 'Njeri',
        amount: 300,
        description: 'Delivery fee',
      })
      .expect(201);
    const invoice = res.body as { id: string; ref: string };
    await eventually(
      () => deliveriesFor(`invoice_id = $1 AND purpose = 'invoice'`, [invoice.id]),
      (d) => d[0]?.state === 'DELIVERED',
      'the invoice delivered',
    );
    // Wait for the "sent" notice to the merchant, so only the cancellation notices come after.
    await eventually(
      () => deliveriesFor(`invoice_id = $1 AND purpose = 'merchant_notice'`, [invoice.id]),
      (d) => d.length === 1,
      'the sent notice',
    );
    const before = (
      await deliveriesFor(`invoice_id = $1 AND purpose <> 'invoice'`, [invoice.id])
    ).map((d) => d.id);
    await t.app
      .get(MachineRunner)
      .send('invoice', invoice.id, { type: 'CANCEL', by: 'api' }, { source: 'test' });
    const notices = await eventually(
      () =>
        deliveriesFor(`invoice_id = $1 AND purpose <> 'invoice' AND NOT (id = ANY($2::uuid[]))`, [
          invoice.id,
          before,
        ]),
      (d) => d.length === 2 && d.every((x) => x.state === 'SMS_SENT'),
      'the two cancellation notices',
    );
    expect(notices.map((n) => [n.purpose, n.recipient, n.channel_policy]).sort()).toEqual(
      [
        ['cancelled_notice', phone, 'sms'],
        ['merchant_notice', merchantPhone, 'sms'],
      ].sort(),
    );
    expect((await inbox(phone)).map((m) => m.message)).toEqual([
      `Duka Bora has cancelled invoice ${invoice.ref}. You do not need to pay it.`,
    ]);
  });
});
