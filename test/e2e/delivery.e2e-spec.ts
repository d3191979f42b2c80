import { randomInt } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DeliveryStatusHandler } from '../../src/channels/delivery/delivery-status.handler';
import { DeliveryModule } from '../../src/channels/delivery/delivery.module';
import { signMetaPayload } from '../../src/channels/whatsapp/whatsapp-signature';
import { InvoicesModule } from '../../src/invoices/invoices.module';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { ManualClock } from '../../src/runtime/clock';
import { BotService } from '../../src/conversations/bot.service';
import { InboundModule } from '../../src/inbound/inbound.module';
import { createTestApp, type TestApp } from '../utils/create-app';

/**
 * The delivery policy end to end: the real WhatsApp and Africa's Talking clients against both
 * simulators, the status webhooks, the outbox and the fallback timer on a ManualClock.
 */

const newPhone = (): string => `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

interface DeliveryRow {
  id: string;
  state: string;
  delivered_via: string | null;
  context: Record<string, unknown>;
}

interface Sms {
  messageId: string;
  message: string;
  status: string;
}

interface TranscriptEntry {
  id: string;
  direction: 'inbound' | 'outbound';
  kind: string;
  content: Record<string, unknown>;
  status?: string;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('delivery policy (WhatsApp first, one SMS fallback)', () => {
  let t: TestApp;
  let db: DataSource;
  let clock: ManualClock;
  let apiKey: string;
  let merchantPhone: string;

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    // Statuses and reports reach the policy through the inbound queue's consumers; the bot that
    // would answer an inbound message (sent here only to open the window) stays silent.
    jest.spyOn(BotService.prototype, 'handle').mockResolvedValue(undefined);
    t = await createTestApp(
      {},
      { imports: [InvoicesModule, DeliveryModule, InboundModule], clock },
    );
    db = t.app.get(DataSource);
    merchantPhone = newPhone();
    const created = await t.app
      .get(MerchantsService)
      .create(db.manager, { displayName: 'Mama Mboga', whatsappPhone: merchantPhone });
    apiKey = created.apiKey;
  });
  afterAll(async () => {
    await t?.close();
    jest.restoreAllMocks();
  });

  const createInvoice = async (customerPhone: string, customerName = 'Jane Wanjiku') => {
    const res = await request(t.url)
      .post('/invoices')
      .set('Authorization', `Bearer ${apiKey}`)
      .send({ customerPhone, customerName, amount: 1500, description: 'Logo design' })
      .expect(201);
    return res.body as { id: string; ref: string; payUrl: string };
  };

  const deliveryOf = async (invoiceId: string): Promise<DeliveryRow | undefined> => {
    const rows: DeliveryRow[] = await db.query(
      `SELECT id, state, delivered_via, snapshot->'context' AS context FROM deliveries
        WHERE invoice_id = $1 AND purpose = 'invoice' ORDER BY created_at`,
      [invoiceId],
    );
    return rows[0];
  };

  const deliveryIn = (invoiceId: string, states: string[]) =>
    eventually(
      () => deliveryOf(invoiceId),
      (d) => d !== undefined && states.includes(d.state),
      `delivery of ${invoiceId} in ${states.join('|')}`,
    ) as Promise<DeliveryRow>;

  const invoiceState = async (id: string): Promise<string> =>
    (await db.query(`SELECT state FROM invoices WHERE id = $1`, [id]))[0].state;

  const inbox = async (phone: string): Promise<Sms[]> =>
    (await request(t.url).get(`/sandbox/africastalking/control/inbox/${phone}`).expect(200)).body
      .messages;

  const transcript = async (phone: string): Promise<TranscriptEntry[]> =>
    (await request(t.url).get(`/sandbox/whatsapp/control/users/${phone}/transcript`).expect(200))
      .body.messages;

  const settings = (phone: string, body: Record<string, boolean>) =>
    request(t.url).post(`/sandbox/whatsapp/control/users/${phone}/settings`).send(body).expect(200);

  const messagesOf = (deliveryId: string) =>
    db.query(
      `SELECT channel, status, error_code, provider_message_id, purpose, invoice_id FROM messages
        WHERE logical_id = $1 ORDER BY created_at, channel DESC`,
      [deliveryId],
    ) as Promise<
      {
        channel: string;
        status: string;
        error_code: string | null;
        provider_message_id: string | null;
        purpose: string;
        invoice_id: string;
      }[]
    >;

  const transitionsOf = (deliveryId: string) =>
    db.query(
      `SELECT event_type, from_state, to_state, accepted, source FROM transitions
        WHERE machine_kind = 'delivery' AND entity_id = $1 ORDER BY id`,
      [deliveryId],
    ) as Promise<
      {
        event_type: string;
        from_state: string;
        to_state: string;
        accepted: boolean;
        source: string;
      }[]
    >;

  /** Posts a status webhook as the provider would: authenticated the configured way. */
  const postStatus = (wamid: string, waId: string, status: string, code?: number) => {
    const raw = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: '1' },
                statuses: [
                  {
                    id: wamid,
                    status,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    recipient_id: waId,
                    ...(code
                      ? { errors: [{ code, title: 'Re-engagement message', message: 'x' }] }
                      : {}),
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const headers: Record<string, string> =
      t.config.whatsapp.provider === 'meta'
        ? { 'X-Hub-Signature-256': signMetaPayload(raw, t.config.whatsapp.appSecret) }
        : { 'X-Webhook-Secret': t.config.whatsapp.webhookSecret };
    return request(t.url)
      .post('/whatsapp/webhook')
      .set({ 'Content-Type': 'application/json', ...headers })
      .send(raw)
      .expect(200);
  };

  it('delivered on WhatsApp in time: invoice SENT, the template with its parameters, no SMS at all', async () => {
    const phone = newPhone();
    const invoice = await createInvoice(phone);
    const delivery = await deliveryIn(invoice.id, ['DELIVERED']);
    expect(delivery.delivered_via).toBe('whatsapp');
    await eventually(
      () => invoiceState(invoice.id),
      (s) => s === 'SENT',
      'invoice SENT',
    );

    // Outside the 24-hour window: the approved template, its 4 parameters and the Pay payload.
    const [sent] = (await transcript(phone)).filter((m) => m.direction === 'outbound');
    expect(sent.kind).toBe('template');
    expect(sent.content).toMatchObject({
      name: 'invoice_new',
      language: { code: 'en' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Jane Wanjiku' },
            { type: 'text', text: 'Mama Mboga' },
            { type: 'text', text: 'KES 1,500' },
            { type: 'text', text: invoice.ref },
          ],
        },
        {
          type: 'button',
          sub_type: 'quick_reply',
          index: '0',
          parameters: [{ type: 'payload', payload: `pay:${invoice.ref}` }],
        },
      ],
    });
    const rows = await messagesOf(delivery.id);
    expect(rows).toEqual([
      expect.objectContaining({
        channel: 'whatsapp',
        provider_message_id: sent.id,
        purpose: 'invoice',
        invoice_id: invoice.id,
      }),
    ]);
    await eventually(
      async () => (await messagesOf(delivery.id))[0]?.status,
      (s) => s === 'read' || s === 'delivered',
      'status recorded on the messages row',
    );
    const transitions = await db.query(
      `SELECT event_type, source FROM transitions WHERE machine_kind = 'invoice' AND entity_id = $1 AND accepted`,
      [invoice.id],
    );
    expect(transitions).toContainEqual({
      event_type: 'DELIVERY_ACCEPTED',
      source: `delivery:${delivery.id}`,
    });
    // A fallback timer was set and cancelled: no SMS, now or later.
    const timers = await db.query(`SELECT status FROM timers WHERE key = $1`, [
      `delivery:${delivery.id}:fallback`,
    ]);
    expect(timers).toEqual([{ status: 'cancelled' }]);
    await sleep(300);
    expect(await inbox(phone)).toEqual([]);
  });

  it('inside the window the invoice is interactive with a Pay button and the pay link', async () => {
    const phone = newPhone();
    const first = await createInvoice(phone, 'Achieng');
    await deliveryIn(first.id, ['DELIVERED']);
    await request(t.url)
      .post(`/sandbox/whatsapp/control/users/${phone}/inbound`)
      .send({ text: 'Asante, nitalipa' })
      .expect(200);
    await eventually(
      async () =>
        (await db.query(`SELECT last_inbound_at FROM customers WHERE phone = $1`, [phone]))[0]
          .last_inbound_at,
      (v) => v !== null,
      'the customer window to open',
    );

    const second = await createInvoice(phone, 'Achieng');
    await deliveryIn(second.id, ['DELIVERED']);
    const outbound = (await transcript(phone)).filter((m) => m.direction === 'outbound');
    expect(outbound.map((m) => m.kind)).toEqual(['template', 'interactive:button']);
    const interactive = outbound[1].content as {
      body: { text: string };
      action: { buttons: { reply: { id: string; title: string } }[] };
    };
    expect(interactive.action.buttons).toEqual([
      { type: 'reply', reply: { id: `pay:${second.ref}`, title: 'Pay with M-PESA' } },
    ]);
    expect(interactive.body.text).toContain(second.payUrl);
    expect(interactive.body.text).toContain(second.ref);
    expect(await inbox(phone)).toEqual([]);
  });

  it('a customer not on WhatsApp (131026) gets the invoice by SMS with a working pay link', async () => {
    const phone = newPhone();
    await settings(phone, { notOnWhatsApp: true });
    const invoice = await createInvoice(phone);
    const delivery = await deliveryIn(invoice.id, ['SMS_SENT']);
    expect(delivery.delivered_via).toBe('sms');
    expect(delivery.context).toMatchObject({ fallbackReason: 'send:131026', acceptedVia: 'sms' });

    const [sms] = await inbox(phone);
    expect(sms.message).toBe(
      `Mama Mboga: invoice ${invoice.ref} KES 1,500. Pay: ${invoice.payUrl} or reply PAY ${invoice.ref}`,
    );
    expect(sms.message.length).toBeLessThanOrEqual(160);
    const link = /Pay: (\S+)/.exec(sms.message)?.[1] ?? '';
    const [{ pay_token }] = await db.query(`SELECT pay_token FROM invoices WHERE id = $1`, [
      invoice.id,
    ]);
    expect(link.endsWith(`/pay/${pay_token}`)).toBe(true);
    const page = await fetch(link);
    expect(page.status).toBeLessThan(500);

    const rows = await eventually(
      () => messagesOf(delivery.id),
      (r) => r.length === 2 && r[1].status === 'delivered',
      'the SMS delivery report',
    );
    expect(rows).toEqual([
      expect.objectContaining({ channel: 'whatsapp', status: 'failed', error_code: '131026' }),
      expect.objectContaining({
        channel: 'sms',
        status: 'delivered',
        provider_message_id: sms.messageId,
      }),
    ]);
    await eventually(
      () => invoiceState(invoice.id),
      (s) => s === 'SENT',
      'invoice SENT',
    );
  });

  it('an async failed status (131047) triggers the SMS once, however often it is repeated', async () => {
    const phone = newPhone();
    const waId = phone.slice(1);
    await settings(phone, { asyncWindowFailure: true });
    // We believe the window is open (a stale last_inbound_at); WhatsApp knows better.
    const [{ id: merchantId }] = await db.query(
      `SELECT id FROM merchants WHERE whatsapp_phone = $1`,
      [merchantPhone],
    );
    await db.query(
      `INSERT INTO customers (merchant_id, phone, name, last_inbound_at) VALUES ($1, $2, 'Otieno', $3)`,
      [merchantId, phone, clock.now()],
    );
    const invoice = await createInvoice(phone, 'Otieno');
    const delivery = await deliveryIn(invoice.id, ['SMS_SENT']);
    expect(delivery.context).toMatchObject({ fallbackReason: 'status:131047' });

    const [wa] = (await transcript(phone)).filter((m) => m.direction === 'outbound');
    expect(wa.kind).toBe('interactive:button');
    expect(wa.status).toBe('failed');
    for (let i = 0; i < 5; i++) await postStatus(wa.id, waId, 'failed', 131047);
    // And the policy's own dedupe, should the same status reach it again.
    const statuses = t.app.get(DeliveryStatusHandler);
    for (let i = 0; i < 5; i++)
      await statuses.handle({
        kind: 'status',
        id: wa.id,
        status: 'failed',
        timestamp: new Date(),
        recipient: phone,
        errors: [{ code: 131047, title: 'Re-engagement message' }],
      });
    await sleep(500);

    expect(await inbox(phone)).toHaveLength(1);
    const failed = (await transitionsOf(delivery.id)).filter((r) => r.event_type === 'WA_FAILED');
    expect(failed).toEqual([
      {
        event_type: 'WA_FAILED',
        from_state: expect.stringMatching(/^(WAITING|WHATSAPP_PENDING)$/),
        to_state: 'SMS_PENDING',
        accepted: true,
        source: 'webhook:whatsapp',
      },
    ]);
    const rows = await messagesOf(delivery.id);
    expect(rows.map((r) => [r.channel, r.error_code])).toEqual([
      ['whatsapp', '131047'],
      ['sms', null],
    ]);
  });

  it('a failed status (131026) after acceptance reaches the policy as a transition', async () => {
    const phone = newPhone();
    await settings(phone, { autoDeliver: false });
    const invoice = await createInvoice(phone);
    const waiting = await deliveryIn(invoice.id, ['WAITING']);
    const [wa] = (await transcript(phone)).filter((m) => m.direction === 'outbound');
    await request(t.url)
      .post(`/sandbox/whatsapp/control/messages/${encodeURIComponent(wa.id)}/status`)
      .send({ status: 'failed', errorCode: 131026 })
      .expect(200);
    const done = await deliveryIn(invoice.id, ['SMS_SENT']);
    expect(done.context).toMatchObject({
      fallbackReason: 'status:131026',
      acceptedVia: 'whatsapp',
    });
    expect(await transitionsOf(waiting.id)).toContainEqual({
      event_type: 'WA_FAILED',
      from_state: 'WAITING',
      to_state: 'SMS_PENDING',
      accepted: true,
      source: 'webhook:whatsapp',
    });
    expect(await inbox(phone)).toHaveLength(1);
  });

  it('no delivery confirmation within the fallback time: one SMS; a late delivered sends nothing more', async () => {
    const phone = newPhone();
    await settings(phone, { autoDeliver: false });
    const invoice = await createInvoice(phone);
    const waiting = await deliveryIn(invoice.id, ['WAITING']);
    await eventually(
      () => invoiceState(invoice.id),
      (s) => s === 'SENT',
      'invoice SENT',
    );
    const [timer] = await db.query(`SELECT status, due_at FROM timers WHERE key = $1`, [
      `delivery:${waiting.id}:fallback`,
    ]);
    expect(timer.status).toBe('pending');
    expect(new Date(timer.due_at).getTime() - clock.now().getTime()).toBeGreaterThan(119_000);
    await sleep(1_200);
    expect(await inbox(phone)).toEqual([]);

    clock.advance(121_000);
    const fellBack = await deliveryIn(invoice.id, ['SMS_SENT']);
    expect(fellBack.context).toMatchObject({ fallbackReason: 'timeout', deliveredVia: 'sms' });
    expect(await inbox(phone)).toHaveLength(1);

    const [wa] = (await transcript(phone)).filter((m) => m.direction === 'outbound');
    await request(t.url)
      .post(`/sandbox/whatsapp/control/messages/${encodeURIComponent(wa.id)}/status`)
      .send({ status: 'delivered' })
      .expect(200);
    const late = await eventually(
      () => deliveryOf(invoice.id),
      (d) => d?.context.whatsappDeliveredLate === true,
      'the late delivery to be recorded',
    );
    expect(late?.state).toBe('SMS_SENT');
    await sleep(500);
    expect(await inbox(phone)).toHaveLength(1);
    expect(
      (
        await db.query(
          `SELECT count(*)::int AS n FROM outbox WHERE entity_id = $1 AND kind = 'sms.send'`,
          [waiting.id],
        )
      )[0].n,
    ).toBe(1);
  });

  it('SMS refused 403 InvalidPhoneNumber: no retries, delivery FAILED, invoice told, merchant notified', async () => {
    const phone = newPhone();
    await settings(phone, { notOnWhatsApp: true });
    await request(t.url)
      .post(`/sandbox/africastalking/control/numbers/${phone}`)
      .send({ failNextSends: { statusCode: 403, count: 5 } })
      .expect(200);
    const invoice = await createInvoice(phone);
    const failed = await deliveryIn(invoice.id, ['FAILED']);
    expect(failed.context).toMatchObject({ smsError: 'send:InvalidPhoneNumber' });

    const [row] = await db.query(
      `SELECT status, attempts FROM outbox WHERE entity_id = $1 AND kind = 'sms.send'`,
      [failed.id],
    );
    expect(row).toEqual({ status: 'done', attempts: 1 });
    const rows = await messagesOf(failed.id);
    expect(rows.map((r) => [r.channel, r.status, r.error_code])).toEqual([
      ['whatsapp', 'failed', '131026'],
      ['sms', 'failed', 'InvalidPhoneNumber'],
    ]);
    await eventually(
      () =>
        db.query(
          `SELECT event_type, accepted FROM transitions WHERE machine_kind = 'invoice' AND entity_id = $1 AND event_type = 'DELIVERY_FAILED'`,
          [invoice.id],
        ),
      (r: unknown[]) => r.length === 1,
      'DELIVERY_FAILED on the invoice',
    );
    // The invoice machine asks for a merchant notice; the merchant's window is closed → SMS.
    const notice = await eventually(
      async () => (await inbox(merchantPhone)).filter((m) => m.message.includes(invoice.ref)),
      (m) => m.length === 1,
      'the merchant notice',
    );
    expect(notice[0].message).toContain('could not deliver invoice');
    expect(await inbox(phone)).toEqual([]);
    // The notice's own delivery says nothing about the invoice's: it stays READY.
    await eventually(
      () =>
        db.query(
          `SELECT state FROM deliveries WHERE invoice_id = $1 AND purpose = 'merchant_notice'`,
          [invoice.id],
        ),
      (r: { state: string }[]) => r[0]?.state === 'SMS_SENT',
      'the merchant notice delivery',
    );
    await sleep(500);
    expect(await invoiceState(invoice.id)).toBe('READY');
  });

  it('SMS 500/502 retries with backoff and then delivers', async () => {
    const phone = newPhone();
    await settings(phone, { notOnWhatsApp: true });
    const numbers = (body: Record<string, unknown>) =>
      request(t.url)
        .post(`/sandbox/africastalking/control/numbers/${phone}`)
        .send(body)
        .expect(200);
    await numbers({ failNextSends: { statusCode: 500, count: 1 } });
    const invoice = await createInvoice(phone);
    const pending = await deliveryIn(invoice.id, ['SMS_PENDING']);
    const smsRow = () =>
      db
        .query(
          `SELECT status, attempts, last_error, next_attempt_at FROM outbox WHERE entity_id = $1 AND kind = 'sms.send'`,
          [pending.id],
        )
        .then((r: { status: string; attempts: number; last_error: string | null }[]) => r[0]);

    const first = await eventually(
      smsRow,
      (r) => r?.status === 'pending' && r.attempts === 1,
      'the first retry to be scheduled',
    );
    expect(first.last_error).toContain('InternalServerError');
    await numbers({ failNextSends: { statusCode: 502, count: 1 } });
    clock.advance(5_000);
    const second = await eventually(
      smsRow,
      (r) => r?.status === 'pending' && r.attempts === 2,
      'the second retry to be scheduled',
    );
    expect(second.last_error).toContain('RejectedByGateway');
    expect(await inbox(phone)).toEqual([]);
    clock.advance(10_000);
    await deliveryIn(invoice.id, ['SMS_SENT']);
    expect(await smsRow()).toMatchObject({ status: 'done', attempts: 3 });
    expect(await inbox(phone)).toHaveLength(1);
  });

  it('a send that started and recorded no answer (the process died) is never sent again', async () => {
    const phone = newPhone();
    await settings(phone, { notOnWhatsApp: true });
    await request(t.url)
      .post(`/sandbox/africastalking/control/numbers/${phone}`)
      .send({ failNextSends: { statusCode: 500, count: 1 } })
      .expect(200);
    const invoice = await createInvoice(phone);
    const pending = await deliveryIn(invoice.id, ['SMS_PENDING']);
    await eventually(
      () =>
        db
          .query(`SELECT status, attempts FROM outbox WHERE entity_id = $1 AND kind = 'sms.send'`, [
            pending.id,
          ])
          .then((r: { status: string; attempts: number }[]) => r[0]),
      (r) => r?.status === 'pending' && r.attempts === 1,
      'the retry after a definite refusal',
    );
    // A refusal clears the mark, so a retry may send; now a process starts the send and dies.
    const [{ sms_send_started_at: cleared }] = await db.query(
      `SELECT sms_send_started_at FROM deliveries WHERE id = $1`,
      [pending.id],
    );
    expect(cleared).toBeNull();
    await db.query(`UPDATE deliveries SET sms_send_started_at = now() WHERE id = $1`, [pending.id]);
    clock.advance(5_000);
    await deliveryIn(invoice.id, ['SMS_SENT']);
    expect(await inbox(phone)).toEqual([]);
    expect((await messagesOf(pending.id)).map((m) => m.provider_message_id)).toContain(
      `unconfirmed:${pending.id}`,
    );
  });
});
