import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { InboundMessage } from '../../src/common/messaging/inbound-message.port';
import { renderReply } from '../../src/common/i18n/render-reply';
import {
  isStructuredMessage,
  type OutboundMessagePayload,
  type RenderedOutboundMessage,
} from '../../src/common/messaging/outbound-message';
import { BotService } from '../../src/conversations/bot.service';
import { onceDelivery } from '../utils/inbound-delivery';
import { AdminModule } from '../../src/admin/admin.module';
import { DeliveryModule } from '../../src/channels/delivery/delivery.module';
import { ConversationsModule } from '../../src/conversations/conversations.module';
import { t as text } from '../../src/common/i18n/catalogue';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { ManualClock } from '../../src/runtime/clock';
import { createTestApp, type TestApp } from '../utils/create-app';

/** A fresh Safaricom number: merchants' numbers are unique. */
const newPhone = (): string => `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

let seq = 0;
function inbound(from: string, text: string, over: Partial<InboundMessage> = {}): InboundMessage {
  seq += 1;
  return {
    channel: 'whatsapp',
    id: `wamid.bot-test.${process.pid}.${Date.now()}.${seq}`,
    from,
    type: 'text',
    text,
    receivedAt: new Date(),
    ...over,
  };
}

const tap = (from: string, buttonId: string, title = buttonId, over = {}) =>
  inbound(from, title, { type: 'button', buttonId, ...over });

type Reply = RenderedOutboundMessage & { replyKey: string; smsText?: string };

/**
 * The bot's replies to one number, from their deliveries (the source of truth: each is created
 * in the turn that decided it), oldest first, rendered as they leave.
 */
async function repliesTo(db: DataSource, phone: string): Promise<Reply[]> {
  const rows: { payload: OutboundMessagePayload }[] = await db.query(
    `SELECT d.payload FROM deliveries d
       JOIN transitions t
         ON t.machine_kind = 'delivery' AND t.entity_id = d.id::text AND t.event_type = 'xstate.init'
      WHERE d.recipient = $1 AND d.purpose = 'bot_reply' ORDER BY t.id`,
    [phone],
  );
  return rows.map(({ payload }) => {
    if (!isStructuredMessage(payload)) return payload as Reply;
    const { reply, locale, ...rest } = payload;
    return { ...rest, ...renderReply(locale, reply) } as Reply;
  });
}

const bodyOf = (reply: Reply): string =>
  'body' in reply.content ? (reply.content as { body: string }).body : '';

async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function handOver(t: TestApp, message: InboundMessage): Promise<void> {
  return t.app.get(BotService).handle(message, onceDelivery(message));
}

/** Sends messages one after the other and returns the keys of the replies they caused. */
function chat(t: TestApp, phone: string) {
  const db = t.app.get(DataSource);
  const bot = t.app.get(BotService);
  return async (...messages: (string | InboundMessage)[]): Promise<Reply[]> => {
    const before = (await repliesTo(db, phone)).length;
    for (const m of messages) {
      const message = typeof m === 'string' ? inbound(phone, m) : m;
      await bot.handle(message, onceDelivery(message));
    }
    return (await repliesTo(db, phone)).slice(before);
  };
}

const keys = (replies: Reply[]) => replies.map((r) => r.replyKey);

const MINUTE = 60_000;

describe('merchant bot', () => {
  const clock = new ManualClock('2026-03-02T09:00:00+03:00');
  let app: TestApp;
  let db: DataSource;

  const boot = () =>
    createTestApp({}, { imports: [ConversationsModule, DeliveryModule, AdminModule], clock });

  const newMerchant = async (locale: 'en' | 'sw' = 'en', name = 'Mama Mboga') => {
    const phone = newPhone();
    const { merchant } = await app.app
      .get(MerchantsService)
      .create(app.app.get(DataSource).manager, { displayName: name, whatsappPhone: phone, locale });
    return { id: merchant.id, phone, say: chat(app, phone) };
  };
  const invoicesOf = (merchantId: string) =>
    db.query(
      `SELECT i.ref, i.amount, i.description, i.customer_phone, i.state, c.name
         FROM invoices i JOIN customers c ON c.id = i.customer_id
        WHERE i.merchant_id = $1 ORDER BY i.created_at, i.id`,
      [merchantId],
    ) as Promise<
      {
        ref: string;
        amount: number;
        description: string;
        customer_phone: string;
        state: string;
        name: string | null;
      }[]
    >;
  const conversationState = async (phone: string, channel = 'whatsapp') =>
    (
      await db.query(`SELECT state FROM conversations WHERE peer_phone = $1 AND channel = $2`, [
        phone,
        channel,
      ])
    )[0]?.state as string | undefined;

  beforeAll(async () => {
    app = await boot();
    db = app.app.get(DataSource);
  });
  afterAll(async () => {
    await app?.close();
    delete process.env.MERCHANT_SIGNUP;
  });

  it('creates a one-line invoice at once and replies with a summary and Remind / Cancel', async () => {
    const m = await newMerchant();
    const customer = newPhone();
    const local = `0${customer.slice(4, 7)} ${customer.slice(7, 10)} ${customer.slice(10)}`;
    const message = inbound(m.phone, `invoice ${local} 1,500 Logo design`);
    const replies = await m.say(message);
    const [invoice] = await invoicesOf(m.id);
    expect(invoice).toMatchObject({
      amount: 1500,
      description: 'Logo design',
      customer_phone: customer,
    });
    // SENT already when a delivery module is mounted and delivered it.
    expect(['READY', 'SENT']).toContain(invoice.state);
    expect(keys(replies)).toEqual(['invoice_created']);
    expect(replies[0]).toMatchObject({
      to: m.phone,
      channel: 'whatsapp',
      purpose: 'bot_reply',
      content: {
        type: 'buttons',
        buttons: [
          { id: `remind:${invoice.ref}`, title: 'Remind' },
          { id: `cancel:${invoice.ref}`, title: 'Cancel invoice' },
        ],
      },
    });
    expect(bodyOf(replies[0])).toContain(`Invoice ${invoice.ref}`);
    expect(bodyOf(replies[0])).toContain('KES 1,500');

    // The webhook delivers the same message again: nothing happens twice.
    await app.app.get(BotService).handle(message, onceDelivery(message));
    expect(await invoicesOf(m.id)).toHaveLength(1);
    expect(await repliesTo(db, m.phone)).toHaveLength(1);
  });

  it('walks the guided flow: back, help, 3 bad amounts, Edit amount from READY, Send', async () => {
    const m = await newMerchant();
    const customer = newPhone();
    expect(keys(await m.say('invoice'))).toEqual(['flow_ask_customer']);
    expect(keys(await m.say('I dunno!'))).toEqual(['err_bad_name']);
    const askName = await m.say(customer);
    expect(keys(askName)).toEqual(['flow_ask_name']);
    expect(bodyOf(askName[0])).toBe(
      text('en', 'flow_ask_name', {
        phone: `0${customer.slice(4, 7)} ${customer.slice(7, 10)} ${customer.slice(10)}`,
      }),
    );
    expect(keys(await m.say('Mary Wanjiku'))).toEqual(['flow_ask_amount']);
    const help = await m.say('help');
    expect(keys(help)).toEqual(['help_flow']);
    expect(bodyOf(help[0])).toContain('How much is the invoice for Mary Wanjiku?');
    const bad = await m.say('lots', 'abc', 'ten');
    expect(keys(bad)).toEqual(['err_bad_amount', 'err_bad_amount', 'flow_too_many_tries']);
    expect(bodyOf(bad[0])).toContain('Example: 1500');
    expect(bad[2].content).toMatchObject({
      buttons: [
        { id: 'flow:cancel', title: 'Cancel' },
        { id: 'flow:keep', title: 'Keep going' },
      ],
    });
    expect(keys(await m.say(tap(m.phone, 'flow:keep', 'Keep going')))).toEqual(['flow_ask_amount']);
    expect(keys(await m.say('1500'))).toEqual(['flow_ask_description']);
    expect(keys(await m.say('back'))).toEqual(['flow_ask_amount']);
    expect(keys(await m.say('KES 1,800'))).toEqual(['flow_ask_description']);
    expect(keys(await m.say('x'))).toEqual(['err_description_too_short']);
    const preview = await m.say('Logo design');
    expect(keys(preview)).toEqual(['flow_preview']);
    expect(bodyOf(preview[0])).toContain('Amount: KES 1,800');
    expect(preview[0].content).toMatchObject({
      buttons: [
        { id: 'flow:send', title: 'Send' },
        { id: 'flow:edit', title: 'Edit' },
        { id: 'flow:cancel', title: 'Cancel' },
      ],
    });
    const list = await m.say(tap(m.phone, 'flow:edit', 'Edit'));
    expect(keys(list)).toEqual(['flow_edit_prompt']);
    expect(list[0].content).toMatchObject({
      type: 'list',
      rows: [{ id: 'edit:customer' }, { id: 'edit:amount' }, { id: 'edit:description' }],
    });
    expect(keys(await m.say(tap(m.phone, 'edit:amount', 'Amount')))).toEqual(['flow_ask_amount']);
    const edited = await m.say('2k');
    expect(keys(edited)).toEqual(['flow_preview']);
    expect(bodyOf(edited[0])).toContain('Amount: KES 2,000');
    expect(await invoicesOf(m.id)).toHaveLength(0);

    const sent = await m.say(tap(m.phone, 'flow:send', 'Send'));
    expect(keys(sent)).toEqual(['invoice_created']);
    const [invoice] = await invoicesOf(m.id);
    expect(invoice).toMatchObject({
      amount: 2000,
      description: 'Logo design',
      customer_phone: customer,
      name: 'Mary Wanjiku',
    });
    expect(bodyOf(sent[0])).toContain(invoice.ref);
    expect(await conversationState(m.phone)).toBe('IDLE');
    // A late second tap on the old preview creates nothing.
    await m.say(tap(m.phone, 'flow:send', 'Send'));
    expect(await invoicesOf(m.id)).toHaveLength(1);

    expect(keys(await m.say('invoice', 'cancel'))).toEqual(['flow_ask_customer', 'flow_cancelled']);
    expect(keys(await m.say('cancel'))).toEqual(['flow_nothing_to_cancel']);
  });

  it('asks before a one-line invoice replaces an unfinished draft', async () => {
    const m = await newMerchant();
    const customer = newPhone();
    await m.say('invoice', customer);
    const asked = await m.say(`invoice ${customer} 700 Delivery`);
    expect(keys(asked)).toEqual(['flow_replace_draft']);
    expect(keys(await m.say(tap(m.phone, 'replace:no')))).toEqual(['flow_draft_kept']);
    expect(await conversationState(m.phone)).toBe('COLLECT.name');
    await m.say(`invoice ${customer} 700 Delivery`);
    expect(keys(await m.say(tap(m.phone, 'replace:yes')))).toEqual(['flow_preview']);
    expect(keys(await m.say('send'))).toEqual(['invoice_created']);
    expect(await invoicesOf(m.id)).toMatchObject([{ amount: 700, description: 'Delivery' }]);

    // An unknown name mid-flow: after Yes the number is asked for, and the name kept for it.
    const zed = newPhone();
    await m.say('invoice');
    expect(keys(await m.say('invoice Zed 400 Painting'))).toEqual(['flow_replace_draft']);
    expect(keys(await m.say(tap(m.phone, 'replace:yes')))).toEqual(['flow_ask_customer']);
    const preview = await m.say(zed);
    expect(keys(preview)).toEqual(['flow_preview']);
    expect(bodyOf(preview[0])).toContain('To: Zed (');
  });

  it('continues the same step after a restart', async () => {
    const m = await newMerchant();
    await m.say('invoice', newPhone(), '-');
    expect(await conversationState(m.phone)).toBe('COLLECT.amount');
    await app.close();
    app = await boot();
    db = app.app.get(DataSource);
    const say = chat(app, m.phone);
    expect(keys(await say('950'))).toEqual(['flow_ask_description']);
  });

  it('applies two messages handled at once by two instances, losing neither', async () => {
    const m = await newMerchant();
    const other = await boot();
    try {
      await m.say('invoice');
      await Promise.all([
        handOver(app, inbound(m.phone, 'help')),
        handOver(other, inbound(m.phone, 'help')),
      ]);
      const replies = await repliesTo(db, m.phone);
      expect(keys(replies)).toEqual(['flow_ask_customer', 'help_flow', 'help_flow']);
      const [conversation] = await db.query(
        `SELECT id, version FROM conversations WHERE peer_phone = $1`,
        [m.phone],
      );
      const chain: { version: number }[] = await db.query(
        `SELECT version FROM transitions WHERE machine_kind = 'conversation' AND entity_id = $1 AND accepted ORDER BY id`,
        [conversation.id],
      );
      expect(chain.map((c) => c.version)).toEqual([0, 1, 2, 3]);
      expect(conversation.version).toBe(3);
      // Reply keys count up in the conversation: no reply overwrote another.
      expect(replies.map((r) => r.replyKey)).toHaveLength(3);
    } finally {
      await other.close();
    }
  });

  it('nudges after 5 quiet minutes, continues after a reply, closes after 15', async () => {
    const m = await newMerchant();
    await m.say('invoice', newPhone(), 'Otieno');
    clock.advance(5 * MINUTE + 1_000);
    await waitFor(async () => keys(await repliesTo(db, m.phone)).includes('flow_nudge'));
    expect(bodyOf((await repliesTo(db, m.phone)).at(-1)!)).toBe(text('en', 'flow_nudge'));
    expect(keys(await m.say('1200'))).toEqual(['flow_ask_description']);
    clock.advance(15 * MINUTE + 1_000);
    await waitFor(async () => keys(await repliesTo(db, m.phone)).includes('flow_expired'));
    expect(await conversationState(m.phone)).toBe('IDLE');
    expect(keys(await repliesTo(db, m.phone)).slice(-3)).toEqual([
      'flow_ask_description',
      'flow_nudge',
      'flow_expired',
    ]);
  });

  it('resolves a saved name, asks between two, and asks for the number of an unknown one', async () => {
    const m = await newMerchant();
    const john = newPhone();
    const kamau = newPhone();
    const otieno = newPhone();
    await db.query(
      `INSERT INTO customers (merchant_id, phone, name) VALUES ($1, $2, 'John'), ($1, $3, 'Jane Kamau'), ($1, $4, 'Jane Otieno')`,
      [m.id, john, kamau, otieno],
    );
    expect(keys(await m.say('invoice John 500 Cleaning'))).toEqual(['invoice_created']);
    expect((await invoicesOf(m.id))[0]).toMatchObject({ customer_phone: john, amount: 500 });

    const question = await m.say('invoice Jane 800 Laundry');
    expect(keys(question)).toEqual(['flow_ask_customer', 'name_ambiguous']);
    const body = bodyOf(question[1]);
    expect(body).toContain(`1. Jane Kamau (0${kamau.slice(4, 7)} *** ${kamau.slice(10)})`);
    expect(body).toContain(`2. Jane Otieno (0${otieno.slice(4, 7)} *** ${otieno.slice(10)})`);
    expect(body).not.toContain(otieno.slice(7, 10) + ' ' + otieno.slice(10));
    expect(keys(await m.say('2'))).toEqual(['flow_preview']);
    expect(keys(await m.say('send'))).toEqual(['invoice_created']);
    expect((await invoicesOf(m.id)).find((i) => i.customer_phone === otieno)).toMatchObject({
      amount: 800,
    });

    const peter = newPhone();
    expect(keys(await m.say('invoice Peter 300 Repairs'))).toEqual([
      'flow_ask_customer',
      'name_unknown',
    ]);
    expect(keys(await m.say(peter))).toEqual(['flow_preview']);
    await m.say('send');
    expect((await invoicesOf(m.id)).find((i) => i.customer_phone === peter)).toMatchObject({
      name: 'Peter',
    });
  });

  it('reminds (once an hour), reports status, lists and cancels own invoices only', async () => {
    const m = await newMerchant();
    const other = await newMerchant('en', 'Other Shop');
    await m.say(`invoice ${newPhone()} 1500 Logo design`);
    const [{ ref }] = await invoicesOf(m.id);
    expect(keys(await m.say(`remind ${ref}`))).toEqual(['reminder_sent']);
    const limited = await m.say(tap(m.phone, `remind:${ref}`, 'Remind'));
    expect(keys(limited)).toEqual(['remind_rate_limited']);
    clock.advance(61 * MINUTE);
    expect(keys(await m.say(`remind ${ref.toLowerCase()}`))).toEqual(['reminder_sent']);

    const status = await m.say(`status ${ref}`);
    expect(keys(status)).toEqual(['status_reply']);
    expect(bodyOf(status[0])).toMatch(/Status: (not sent yet|sent, waiting for payment)/);
    expect(bodyOf(status[0])).toContain('Balance: KES 1,500');
    const list = await m.say('list');
    expect(keys(list)).toEqual(['list_reply']);
    expect(bodyOf(list[0])).toContain(`${ref} - `);

    for (const command of [`status ${ref}`, `remind ${ref}`, `cancel ${ref}`]) {
      const replies = await other.say(command);
      expect(keys(replies)).toEqual(['not_found']);
    }
    expect((await invoicesOf(m.id))[0].state).not.toBe('CANCELLED');

    expect(keys(await m.say(tap(m.phone, `cancel:${ref}`, 'Cancel invoice')))).toEqual([
      'invoice_cancelled',
    ]);
    expect((await invoicesOf(m.id))[0].state).toBe('CANCELLED');
    expect(keys(await m.say(`cancel ${ref}`))).toEqual(['invoice_already_cancelled']);
    expect(keys(await m.say(`remind ${ref}`))).toEqual(['invoice_already_cancelled']);
    expect(keys(await m.say('list'))).toEqual(['list_empty']);
    expect(keys(await m.say('customers'))).toEqual(['customers_reply']);
  });

  it('switches the reply language with lang sw', async () => {
    const m = await newMerchant();
    const switched = await m.say('lang sw');
    expect(bodyOf(switched[0])).toBe(text('sw', 'language_switched'));
    expect((await db.query(`SELECT locale FROM merchants WHERE id = $1`, [m.id]))[0].locale).toBe(
      'sw',
    );
    const later = await m.say('invoice');
    expect(bodyOf(later[0])).toBe(text('sw', 'flow_ask_customer'));
    expect(bodyOf((await m.say('help'))[0])).toContain('Unatengeneza ankara');
  });

  it('speaks SMS: numbered options map back to buttons, and replies stay on SMS', async () => {
    const m = await newMerchant();
    const sms = (body: string) => inbound(m.phone, body, { channel: 'sms' });
    await m.say(sms('invoice'), sms(newPhone()), sms('-'), sms('450'));
    const [preview] = await m.say(sms('Cleaning'));
    expect(preview).toMatchObject({ channel: 'sms', replyKey: 'flow_preview' });
    expect(preview.smsText).toContain('Reply 1 for Send\nReply 2 for Edit\nReply 3 for Cancel');
    const [created] = await m.say(sms('1'));
    expect(created).toMatchObject({ channel: 'sms', replyKey: 'invoice_created' });
    const [{ ref }] = await invoicesOf(m.id);
    expect(created.smsText).toContain(`Reply remind ${ref}`);
    expect(await conversationState(m.phone, 'sms')).toBe('IDLE');
  });

  it('lets strangers create nothing, and register only when sign-up is open', async () => {
    const stranger = newPhone();
    const say = chat(app, stranger);
    expect(keys(await say(`invoice ${newPhone()} 500 Cleaning`))).toEqual(['stranger_help']);
    expect(
      (
        await db.query(`SELECT count(*)::int AS n FROM invoices WHERE customer_phone = $1`, [
          stranger,
        ])
      )[0].n,
    ).toBe(0);
    delete process.env.MERCHANT_SIGNUP;
    expect(keys(await say('register'))).toEqual(['signup_closed']);
    expect(
      (
        await db.query(`SELECT count(*)::int AS n FROM merchants WHERE whatsapp_phone = $1`, [
          stranger,
        ])
      )[0].n,
    ).toBe(0);

    process.env.MERCHANT_SIGNUP = 'open';
    try {
      expect(keys(await say('register'))).toEqual(['register_ask_business']);
      expect(keys(await say('x'))).toEqual(['register_bad_business']);
      expect(keys(await say('Duka la Mama'))).toEqual(['register_ask_language']);
      const done = await say(tap(stranger, 'lang:sw', 'Kiswahili'));
      expect(keys(done)).toEqual(['register_done']);
      expect(bodyOf(done[0])).toContain('Tayari, Duka la Mama!');
      const [merchant] = await db.query(
        `SELECT display_name, locale FROM merchants WHERE whatsapp_phone = $1`,
        [stranger],
      );
      expect(merchant).toEqual({ display_name: 'Duka la Mama', locale: 'sw' });
      expect(bodyOf((await say('help'))[0])).toContain('Amri za InvoiceIQ');
    } finally {
      delete process.env.MERCHANT_SIGNUP;
    }
  });

  it('starts a payment for the invoice customer only; STOP opts out; help is rate-limited', async () => {
    const m = await newMerchant();
    const customer = newPhone();
    await m.say(`invoice ${customer} 1500 Logo design`);
    const [{ ref }] = await invoicesOf(m.id);
    const customerSays = chat(app, customer);

    const stranger = newPhone();
    const strangerReply = await chat(app, stranger)(`pay ${ref}`);
    expect(keys(strangerReply)).toEqual(['pay_not_found']);
    const payments = () =>
      db.query(
        `SELECT p.phone, p.amount FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.ref = $1`,
        [ref],
      ) as Promise<{ phone: string; amount: number }[]>;
    expect(await payments()).toHaveLength(0);

    // The prompt stays open on the simulated phone, so the second PAY finds it pending.
    const plan = await fetch(`${app.url}/sandbox/daraja/control/next-outcome`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'success', phone: customer, delayMs: 60_000 }),
    });
    expect(plan.ok).toBe(true);
    const started = await customerSays(tap(customer, `pay:${ref}`, 'Pay with M-PESA'));
    expect(keys(started)).toEqual(['stk_sent']);
    expect(bodyOf(started[0])).toBe(
      text('en', 'stk_sent', { amount: 'KES 1,500', merchant: 'Mama Mboga' }),
    );
    expect(await payments()).toEqual([{ phone: customer, amount: 1500 }]);
    expect(keys(await customerSays(`pay ${ref}`))).toEqual(['stk_already_pending']);

    const help = await customerSays('hello?');
    expect(keys(help)).toEqual(['customer_help']);
    expect(bodyOf(help[0])).toContain('Mama Mboga');
    expect(bodyOf(help[0])).toContain(ref);
    expect(await customerSays('anyone there?')).toEqual([]);
    expect(keys(await customerSays(inbound(customer, '', { type: 'unsupported' })))).toEqual([
      'unsupported_message',
    ]);

    expect(keys(await customerSays('register'))).toEqual(['signup_closed']);
    expect(keys(await customerSays('STOP'))).toEqual(['customer_stopped']);
    const [row] = await db.query(`SELECT opted_out_at FROM customers WHERE phone = $1`, [customer]);
    expect(row.opted_out_at).not.toBeNull();
    // Nothing from the customer side ever reached the merchant's chat.
    expect(keys(await repliesTo(db, m.phone))).toEqual(['invoice_created']);
  });
});
