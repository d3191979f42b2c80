import { createHash, randomBytes, randomInt } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { signMetaPayload } from '../../src/channels/whatsapp/whatsapp-signature';
import { WhatsAppModule } from '../../src/channels/whatsapp/whatsapp.module';
import type { InboundMessage } from '../../src/common/messaging/inbound-message.port';
import { BotService } from '../../src/conversations/bot.service';
import { InboundModule } from '../../src/inbound/inbound.module';
import { WhatsAppInboundConsumer } from '../../src/inbound/whatsapp-inbound.consumer';
import { RuntimePollers } from '../../src/runtime/runtime-pollers';
import { createTestApp, type TestApp } from '../utils/create-app';

const wamid = (): string => `wamid.TEST${randomBytes(12).toString('hex').toUpperCase()}`;
const kenyanDigits = (): string => `2547${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
const nowSeconds = (offset = 0): string => String(Math.floor(Date.now() / 1000) + offset);

function envelope(value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

function textMessage(from: string, id: string, body = 'hello', name = 'Jane Wanjiku') {
  return envelope({
    contacts: [{ profile: { name }, wa_id: from }],
    messages: [{ from, id, timestamp: nowSeconds(), type: 'text', text: { body } }],
  });
}

function statusUpdate(
  id: string,
  status: string,
  recipient: string,
  extra: Record<string, unknown> = {},
) {
  return { id, status, timestamp: nowSeconds(), recipient_id: recipient, ...extra };
}

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const SCHEMES = [
  { provider: '360dialog', env: {} },
  { provider: 'meta', env: { WABA_PROVIDER: 'meta' } },
] as const;

describe.each(SCHEMES)('WhatsApp webhook ($provider)', ({ provider, env }) => {
  let t: TestApp;
  let ds: DataSource;
  /** What the inbound queue hands the WhatsApp consumer: (stored event, delivery). */
  let handled: jest.SpyInstance;
  /** The bot stand-in: what reached it, and the sender's window as it stood at that moment. */
  let bot: jest.SpyInstance;
  let botSaw: { message: InboundMessage; merchantWindow: Date | null }[] = [];

  const authHeaders = (raw: string): Record<string, string> =>
    provider === 'meta'
      ? { 'X-Hub-Signature-256': signMetaPayload(raw, t.config.whatsapp.appSecret) }
      : { 'X-Webhook-Secret': t.config.whatsapp.webhookSecret };

  const post = (body: unknown, headers?: Record<string, string>) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return request(t.url)
      .post('/whatsapp/webhook')
      .set('Content-Type', 'application/json')
      .set(headers ?? authHeaders(raw))
      .send(raw);
  };

  const ledger = (externalId: string) =>
    ds.query<{ id: string; processed_at: Date | null; payload: any }[]>(
      `SELECT id, processed_at, payload FROM inbound_events WHERE provider = 'whatsapp' AND external_id = $1`,
      [externalId],
    );

  const processed = (externalId: string) =>
    eventually(
      () => ledger(externalId),
      (rows) => rows.length > 0 && rows.every((r) => r.processed_at !== null),
    );
  /** The outbox rows that carry one recorded event to the consumer. */
  const queuedRuns = (eventId: string) =>
    ds.query<{ status: string; attempts: number }[]>(
      `SELECT status, attempts FROM outbox WHERE kind = 'inbound.whatsapp' AND payload->>'inboundEventId' = $1 ORDER BY id`,
      [String(eventId)],
    );
  /** Returns once the outbox has run every row due now (the dispatcher's own drain). */
  const drainQueue = () => t.app.get(RuntimePollers).dispatcher.drain();
  const callsFor = (id: string) =>
    handled.mock.calls.filter(([payload]) => (payload as { id?: string }).id === id);

  const insertOutbound = async (providerMessageId: string, recipient: string) => {
    await ds.query(
      `INSERT INTO messages (direction, channel, provider_message_id, recipient, kind, status)
       VALUES ('outbound', 'whatsapp', $1, $2, 'text', 'queued')`,
      [providerMessageId, `+${recipient}`],
    );
  };
  const messageRow = async (providerMessageId: string): Promise<Record<string, any>> => {
    const rows = await ds.query<Record<string, any>[]>(
      `SELECT * FROM messages WHERE channel = 'whatsapp' AND provider_message_id = $1`,
      [providerMessageId],
    );
    return rows[0];
  };

  beforeAll(async () => {
    // On the prototype, before the app starts: its outbox drains right at bootstrap.
    bot = jest
      .spyOn(BotService.prototype, 'handle')
      .mockImplementation(async (message: InboundMessage) => {
        if (!ds) return; // a leftover of an earlier app, run while this one boots
        const [merchant] = await ds.query<{ last_inbound_at: Date | null }[]>(
          `SELECT last_inbound_at FROM merchants WHERE whatsapp_phone = $1`,
          [message.from],
        );
        botSaw.push({ message, merchantWindow: merchant?.last_inbound_at ?? null });
      });
    t = await createTestApp(env, { imports: [WhatsAppModule, InboundModule] });
    ds = t.app.get(DataSource);
    handled = jest.spyOn(t.app.get(WhatsAppInboundConsumer), 'handle');
  });
  afterAll(async () => {
    await t.close();
    bot.mockRestore();
  });
  beforeEach(() => {
    handled.mockClear();
    botSaw = [];
  });

  describe('verification GET', () => {
    it('echoes the raw challenge as text/plain for the right token', async () => {
      const res = await request(t.url)
        .get('/whatsapp/webhook')
        .query({
          'hub.mode': 'subscribe',
          'hub.challenge': '1158201444',
          'hub.verify_token': t.config.whatsapp.verifyToken,
        })
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toBe('1158201444');
    });

    it.each([
      ['a wrong token', { 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': 'x' }],
      ['a wrong mode', { 'hub.mode': 'unsubscribe', 'hub.challenge': '1', 'hub.verify_token': '' }],
      ['no parameters', {}],
    ])('answers 403 for %s', async (_label, query) => {
      const q = { ...query } as Record<string, string>;
      if (q['hub.mode'] === 'unsubscribe') q['hub.verify_token'] = t.config.whatsapp.verifyToken;
      const res = await request(t.url).get('/whatsapp/webhook').query(q).expect(403);
      expect(res.text).not.toContain('1');
    });
  });

  describe('authentication', () => {
    it('processes a correctly authenticated inbound message', async () => {
      const from = kenyanDigits();
      const id = wamid();
      const res = await post(textMessage(from, id)).expect(200);
      expect(res.body).toEqual({ received: 1 });
      const rows = await processed(id);
      expect(rows).toHaveLength(1);
      expect(rows[0].payload).toMatchObject({
        kind: 'message',
        id,
        from: `+${from}`,
        message: { type: 'text', text: 'hello' },
      });
      expect(handled).toHaveBeenCalledTimes(1);
      expect(botSaw.map((s) => s.message)).toEqual([
        {
          channel: 'whatsapp',
          id,
          from: `+${from}`,
          type: 'text',
          text: 'hello',
          receivedAt: expect.any(Date),
          profileName: 'Jane Wanjiku',
        },
      ]);
    });

    /** Ways to get it wrong, per scheme: each returns the headers to send with `raw`. */
    const refusals = (): [string, (raw: string, original: string) => Record<string, string>][] =>
      provider === 'meta'
        ? [
            ['a tampered body', (_raw, original) => authHeaders(original)],
            [
              'a wrong secret',
              (raw) => ({ 'X-Hub-Signature-256': signMetaPayload(raw, 'not-the-app-secret') }),
            ],
            ['a missing header', () => ({})],
            ['a malformed header', () => ({ 'X-Hub-Signature-256': 'sha256=zz' })],
          ]
        : [
            ['a wrong secret', () => ({ 'X-Webhook-Secret': 'not-the-webhook-secret' })],
            [
              'a secret one character off',
              () => ({ 'X-Webhook-Secret': `${t.config.whatsapp.webhookSecret.slice(0, -1)}1` }),
            ],
            ['a missing header', () => ({})],
            ['an empty header', () => ({ 'X-Webhook-Secret': '' })],
          ];

    it('answers 401 and stores nothing for every bad credential', async () => {
      for (const [label, headersFor] of refusals()) {
        const id = wamid();
        const original = JSON.stringify(textMessage(kenyanDigits(), id));
        // The tampered case changes the bytes after signing; the others send them as signed.
        const raw = label === 'a tampered body' ? original.replace('hello', 'hullo') : original;
        const res = await post(raw, headersFor(raw, original));
        expect({ label, status: res.status }).toEqual({ label, status: 401 });
        expect(res.body).toMatchObject({
          statusCode: 401,
          message: 'Webhook authentication failed',
        });
        await drainQueue();
        expect(await ledger(id)).toHaveLength(0);
        expect(await ledger(createHash('sha256').update(raw).digest('hex'))).toHaveLength(0);
      }
      expect(handled).not.toHaveBeenCalled();
      expect(botSaw).toEqual([]);
    });

    it('does not accept the other provider scheme', async () => {
      const id = wamid();
      const raw = JSON.stringify(textMessage(kenyanDigits(), id));
      const other: Record<string, string> =
        provider === 'meta'
          ? { 'X-Webhook-Secret': t.config.whatsapp.webhookSecret }
          : { 'X-Hub-Signature-256': signMetaPayload(raw, t.config.whatsapp.appSecret) };
      await post(raw, other).expect(401);
      expect(await ledger(id)).toHaveLength(0);
    });

    it('answers malformed JSON with 400 and stores nothing', async () => {
      const raw = '{"object": "whatsapp_business_account", "entry": [';
      await post(raw).expect(400);
      const hash = createHash('sha256').update(raw).digest('hex');
      expect(await ledger(hash)).toHaveLength(0);
    });
  });

  describe('dedupe', () => {
    it('records and handles a message delivered 5 times (3 concurrently) exactly once', async () => {
      const id = wamid();
      const body = textMessage(kenyanDigits(), id);
      await post(body).expect(200);
      await post(body).expect(200);
      const concurrent = await Promise.all([post(body), post(body), post(body)]);
      for (const res of concurrent) expect(res.status).toBe(200);
      const rows = await processed(id);
      expect(rows).toHaveLength(1);
      await drainQueue();
      expect(callsFor(id)).toHaveLength(1);
      expect(botSaw.filter((s) => s.message.id === id)).toHaveLength(1);
      // The duplicates were never queued: one run, done.
      expect(await queuedRuns(rows[0].id)).toEqual([{ status: 'done', attempts: 1 }]);
    });

    it('records an unknown but valid payload under the hash of its body and answers 200', async () => {
      const body = { object: 'whatsapp_business_account', entry: [], nonce: wamid() };
      const raw = JSON.stringify(body);
      const res = await post(raw).expect(200);
      expect(res.body).toEqual({ received: 1 });
      const rows = await processed(createHash('sha256').update(raw).digest('hex'));
      expect(rows).toHaveLength(1);
      expect(rows[0].payload).toMatchObject({ kind: 'unknown', reason: 'no entries', body });
      // Kept for the record only: nothing is queued for it.
      expect(await queuedRuns(rows[0].id)).toEqual([]);
    });

    it('records what PostgreSQL cannot hold (NUL, lone surrogates, deep nesting) made storable, and answers 200 (found by fuzzing)', async () => {
      const from = kenyanDigits();
      const id = wamid();
      const text = textMessage(from, id, 'pay\u0000 INV-1 \ud800', 'Jane\u0000');
      expect((await post(text).expect(200)).body).toEqual({ received: 1 });
      const [message] = await processed(id);
      expect(message.payload).toMatchObject({
        kind: 'message',
        message: { type: 'text', text: 'pay\ufffd INV-1 \ufffd' },
        profileName: 'Jane\ufffd',
      });

      const odd = { object: 'page', 'k\u0000': ['\udfff'], nonce: wamid() };
      const oddRaw = JSON.stringify(odd);
      await post(oddRaw).expect(200);
      const [unknown] = await processed(createHash('sha256').update(oddRaw).digest('hex'));
      expect(unknown.payload.body).toEqual({
        object: 'page',
        'k\ufffd': ['\ufffd'],
        nonce: odd.nonce,
      });

      const deepRaw = `{"nonce":"${wamid()}","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
      await post(deepRaw).expect(200);
      const [deep] = await processed(createHash('sha256').update(deepRaw).digest('hex'));
      expect(JSON.stringify(deep.payload.body)).toContain('nested too deep');
    });

    it.each([
      ['an array', [{ nonce: 1 }]],
      ['another object type', { object: 'page', nonce: 2 }],
      ['an unknown field', envelope({ nonce: randomBytes(4).toString('hex') })],
    ])('answers 200 for %s', async (_label, body) => {
      const unique = Array.isArray(body) ? [...body, wamid()] : { ...body, n: wamid() };
      const raw = JSON.stringify(unique);
      await post(raw).expect(200);
      expect(await ledger(createHash('sha256').update(raw).digest('hex'))).toHaveLength(1);
    });
  });

  describe('statuses', () => {
    it('ends read when read, sent and delivered arrive in that order', async () => {
      const id = wamid();
      const to = kenyanDigits();
      await insertOutbound(id, to);
      for (const status of ['read', 'sent', 'delivered']) {
        await post(envelope({ statuses: [statusUpdate(id, status, to)] })).expect(200);
        await processed(`${id}:${status}`);
      }
      const row = await messageRow(id);
      expect(row.status).toBe('read');
      expect(row.sent_at).not.toBeNull();
      expect(row.delivered_at).not.toBeNull();
      expect(row.read_at).not.toBeNull();
      expect(row.failed_at).toBeNull();
    });

    it('ends read when the three statuses arrive concurrently', async () => {
      const id = wamid();
      const to = kenyanDigits();
      await insertOutbound(id, to);
      await Promise.all(
        ['delivered', 'read', 'sent'].map((s) =>
          post(envelope({ statuses: [statusUpdate(id, s, to)] })).expect(200),
        ),
      );
      for (const s of ['sent', 'delivered', 'read']) await processed(`${id}:${s}`);
      expect((await messageRow(id)).status).toBe('read');
    });

    it('keeps delivered when failed arrives after it, and records the error', async () => {
      const id = wamid();
      const to = kenyanDigits();
      await insertOutbound(id, to);
      await post(envelope({ statuses: [statusUpdate(id, 'delivered', to)] })).expect(200);
      await processed(`${id}:delivered`);
      const failed = statusUpdate(id, 'failed', to, {
        errors: [
          { code: 131047, title: 'Re-engagement message', message: 'Re-engagement message' },
        ],
      });
      await post(envelope({ statuses: [failed] })).expect(200);
      await processed(`${id}:failed`);
      const row = await messageRow(id);
      expect(row.status).toBe('delivered');
      expect(row.failed_at).not.toBeNull();
      expect(row.error_code).toBe('131047');
      expect(row.error_title).toBe('Re-engagement message');
    });

    it('moves a sent message to failed, and a late sent does not undo it', async () => {
      const id = wamid();
      const to = kenyanDigits();
      await insertOutbound(id, to);
      const failed = statusUpdate(id, 'failed', to, {
        errors: [{ code: 131026, title: 'Message undeliverable' }],
      });
      await post(envelope({ statuses: [failed] })).expect(200);
      await processed(`${id}:failed`);
      await post(envelope({ statuses: [statusUpdate(id, 'sent', to)] })).expect(200);
      await processed(`${id}:sent`);
      const row = await messageRow(id);
      expect(row.status).toBe('failed');
      expect(row.error_code).toBe('131026');
      expect(row.sent_at).not.toBeNull();
    });

    it('leaves a status that outran its message row unprocessed, and applies it on the queue’s retry once the row exists', async () => {
      const id = wamid();
      const to = kenyanDigits();
      await post(envelope({ statuses: [statusUpdate(id, 'delivered', to)] })).expect(200);
      const failed = await eventually(
        async () =>
          (
            await ds.query<Record<string, any>[]>(
              `SELECT * FROM inbound_events WHERE provider = 'whatsapp' AND external_id = $1`,
              [`${id}:delivered`],
            )
          )[0],
        (row) => row?.last_error != null,
      );
      expect(failed).toMatchObject({
        processed_at: null,
        dead_at: null,
        attempts: 1,
        last_error: 'UnmatchedStatusError',
      });
      expect(callsFor(id)).toHaveLength(1);

      await insertOutbound(id, to);
      // Instead of waiting out the backoff: its outbox row is due now (once back to 'pending').
      const due = await eventually(
        async () =>
          (
            await ds.query<{ n: number }[]>(
              `WITH due AS (
                 UPDATE outbox SET next_attempt_at = now()
                  WHERE kind LIKE 'inbound.%' AND payload->>'inboundEventId' = $1 AND status = 'pending'
                  RETURNING id)
               SELECT count(*)::int AS n FROM due`,
              [String(failed.id)],
            )
          )[0].n,
        (n) => n > 0,
      );
      expect(due).toBe(1);
      const [done] = await processed(`${id}:delivered`);
      expect(done.processed_at).not.toBeNull();
      expect(callsFor(id)).toHaveLength(2);
      expect((await messageRow(id)).status).toBe('delivered');
      // The ledger is stamped just before the outbox row is.
      const runs = await eventually(
        () => queuedRuns(failed.id),
        (rows) => rows.every((r) => r.status !== 'pending' && r.status !== 'running'),
      );
      expect(runs).toEqual([{ status: 'done', attempts: 2 }]);
    });

    it('accepts a batch of 1,000 statuses (about 1 MB) within the body limit, and the queue applies them all', async () => {
      const to = kenyanDigits();
      const ids = Array.from({ length: 1000 }, () => wamid());
      await ds.query(
        `INSERT INTO messages (direction, channel, provider_message_id, recipient, kind, status)
         SELECT 'outbound', 'whatsapp', id, $2, 'text', 'sent' FROM unnest($1::text[]) AS id`,
        [ids, `+${to}`],
      );
      const statuses = ids.map((id) =>
        statusUpdate(id, 'delivered', to, {
          conversation: {
            id: randomBytes(16).toString('hex'),
            origin: { type: 'utility' },
            expiration_timestamp: nowSeconds(86_400),
          },
          pricing: { billable: true, pricing_model: 'PMP', category: 'utility' },
          biz_opaque_callback_data: randomBytes(300).toString('hex'),
        }),
      );
      const raw = JSON.stringify(envelope({ statuses }));
      expect(raw.length).toBeGreaterThan(900_000);
      expect(raw.length).toBeLessThan(3 * 1024 * 1024);
      const started = Date.now();
      const res = await post(raw).expect(200);
      expect(res.body).toEqual({ received: 1000 });
      expect(Date.now() - started).toBeLessThan(10_000);
      const [{ count }] = await ds.query(
        `SELECT count(*)::int AS count FROM inbound_events WHERE provider = 'whatsapp' AND external_id = ANY($1)`,
        [ids.map((id) => `${id}:delivered`)],
      );
      expect(count).toBe(1000);
      const applied = await eventually(
        async () =>
          (
            await ds.query<{ n: number }[]>(
              `SELECT count(*)::int AS n FROM messages
                WHERE channel = 'whatsapp' AND provider_message_id = ANY($1) AND status = 'delivered'`,
              [ids],
            )
          )[0].n,
        (n) => n === 1000,
        60_000,
      );
      expect(applied).toBe(1000);
    }, 90_000);
  });

  describe('24-hour window', () => {
    it('stamps last_inbound_at on the customer rows and the merchant with that phone', async () => {
      const merchantPhone = kenyanDigits();
      const customerPhone = kenyanDigits();
      const [merchant] = await ds.query(
        `INSERT INTO merchants (display_name, whatsapp_phone) VALUES ('Duka', $1) RETURNING id`,
        [`+${merchantPhone}`],
      );
      const [other] = await ds.query(
        `INSERT INTO merchants (display_name, whatsapp_phone) VALUES ('Other', $1) RETURNING id`,
        [`+${kenyanDigits()}`],
      );
      for (const m of [merchant.id, other.id])
        await ds.query(`INSERT INTO customers (merchant_id, phone) VALUES ($1, $2)`, [
          m,
          `+${customerPhone}`,
        ]);

      const customerMsg = wamid();
      await post(textMessage(customerPhone, customerMsg)).expect(200);
      await processed(customerMsg);
      const customers = await ds.query(`SELECT last_inbound_at FROM customers WHERE phone = $1`, [
        `+${customerPhone}`,
      ]);
      expect(customers).toHaveLength(2);
      for (const c of customers) {
        expect(c.last_inbound_at).not.toBeNull();
        expect(Date.now() - new Date(c.last_inbound_at).getTime()).toBeLessThan(60_000);
      }
      const [beforeMerchant] = await ds.query(
        `SELECT last_inbound_at FROM merchants WHERE id = $1`,
        [merchant.id],
      );
      expect(beforeMerchant.last_inbound_at).toBeNull();

      const merchantMsg = wamid();
      await post(textMessage(merchantPhone, merchantMsg)).expect(200);
      await processed(merchantMsg);
      const [after] = await ds.query(`SELECT last_inbound_at FROM merchants WHERE id = $1`, [
        merchant.id,
      ]);
      expect(after.last_inbound_at).not.toBeNull();
    });

    it('passes unsupported message types to the handler marked as unsupported', async () => {
      const id = wamid();
      const from = kenyanDigits();
      const body = envelope({
        messages: [
          {
            from,
            id,
            timestamp: nowSeconds(),
            type: 'sticker',
            sticker: { id: 'media-1', mime_type: 'image/webp', animated: false },
          },
        ],
      });
      await post(body).expect(200);
      await processed(id);
      expect(handled).toHaveBeenCalledWith(
        expect.objectContaining({ id, message: { type: 'unsupported', originalType: 'sticker' } }),
        expect.objectContaining({ attempts: 1 }),
      );
      expect(botSaw.map((s) => s.message)).toEqual([
        expect.objectContaining({ id, from: `+${from}`, type: 'unsupported' }),
      ]);
    });

    it('hands a message to the bot only after the sender’s window is recorded', async () => {
      const from = kenyanDigits();
      const [merchant] = await ds.query(
        `INSERT INTO merchants (display_name, whatsapp_phone) VALUES ('Kiosk', $1) RETURNING id`,
        [`+${from}`],
      );
      const id = wamid();
      await post(textMessage(from, id, 'invoice 0712345678 500 Logo')).expect(200);
      await processed(id);
      const [seen] = botSaw.filter((s) => s.message.id === id);
      expect(seen.message).toMatchObject({ channel: 'whatsapp', from: `+${from}`, type: 'text' });
      expect(seen.merchantWindow).not.toBeNull();
      const [row] = await ds.query(`SELECT last_inbound_at FROM merchants WHERE id = $1`, [
        merchant.id,
      ]);
      expect(row.last_inbound_at).toEqual(seen.merchantWindow);
      expect(t.logs.text).not.toContain('Logo');
    });
  });
});
