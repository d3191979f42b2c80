import { randomBytes, randomInt } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { InboundMessage } from '../../src/common/messaging/inbound-message.port';
import { BotService } from '../../src/conversations/bot.service';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { createTestApp, type TestApp } from '../utils/create-app';

/**
 * Inbound never stranded, over the whole product: a webhook records the event and its
 * 'inbound.<provider>' outbox row and answers 200; an SMS or WhatsApp message whose handling
 * failed is run again by the outbox with backoff; one that keeps failing ends dead after
 * INBOUND_MAX_ATTEMPTS runs, listed by the admin API and counted by the metric, and can be
 * replayed from there.
 */
const ADMIN_KEY = 'inbound-e2e-admin-key-0123456789abcdef';
const MAX_ATTEMPTS = 5;

const newPhone = (): string => `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('inbound events: on the outbox, bounded attempts, dead events in admin API and metric', () => {
  let t: TestApp;
  let db: DataSource;
  let failing = true;
  let botCalls: InboundMessage[] = [];
  const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

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
      await sleep(50);
    }
  };
  const row = async (provider: string, externalId: string): Promise<any> =>
    (
      await db.query(`SELECT * FROM inbound_events WHERE provider = $1 AND external_id = $2`, [
        provider,
        externalId,
      ])
    )[0];
  /** Stand-in for waiting out the backoff: the event's outbox row is due now. */
  const dueNow = (id: string) =>
    db.query(
      `UPDATE outbox SET next_attempt_at = now()
        WHERE kind LIKE 'inbound.%' AND payload->>'inboundEventId' = $1 AND status = 'pending'`,
      [String(id)],
    );
  /** Runs the event again and again (skipping the backoff) until `done` says so. */
  const runUntil = async (provider: string, externalId: string, done: (r: any) => boolean) =>
    waitFor(
      'the event to settle',
      async () => {
        const r = await row(provider, externalId);
        if (r && done(r)) return r;
        if (r) await dueNow(r.id);
        return null;
      },
      30_000,
    );
  const metric = async (series: string): Promise<number> => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    if (!line) throw new Error(`no series ${series}`);
    return Number(line.slice(series.length + 1));
  };
  const DEAD_SMS =
    'invoiceiq_inbound_events{provider="africastalking",kind="inbound",status="dead"}';
  const DEAD_WA = 'invoiceiq_inbound_events{provider="whatsapp",kind="message",status="dead"}';
  const listed = async (query = '') =>
    (await request(t.url).get(`/admin/inbound-events${query}`).set(admin).expect(200)).body as {
      items: any[];
      nextCursor: string | null;
    };
  /** An inbound SMS as Africa's Talking delivers it (with its retries), through the simulator. */
  const smsFromAt = async (from: string, text: string) => {
    const res = await request(t.url)
      .post('/sandbox/africastalking/control/inbound')
      .send({ from, text })
      .expect(200);
    return res.body as { id: string; callbackStatus: number };
  };
  beforeAll(async () => {
    t = await createTestApp(
      {
        ADMIN_API_KEY: ADMIN_KEY,
        INBOUND_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      },
      { full: true },
    );
    db = t.app.get(DataSource);
    // The bot behind both channels: down while `failing`, itself otherwise.
    const bot = t.app.get(BotService);
    const original = bot.handle.bind(bot);
    jest.spyOn(bot, 'handle').mockImplementation((message, delivery) => {
      botCalls.push(message);
      return failing
        ? Promise.reject(new Error(`bot down on "${message.text}"`))
        : original(message, delivery);
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });
  beforeEach(() => {
    failing = true;
    botCalls = [];
  });

  it('an SMS is answered 200 at once, and its failed handling is run again until the bot is back', async () => {
    const phone = newPhone();
    const sms = await smsFromAt(phone, 'help');
    expect(sms.callbackStatus).toBe(200);
    const externalId = `inbound:${sms.id}`;
    const failed = await waitFor('the first run to fail', async () => {
      const r = await row('africastalking', externalId);
      return r?.last_error !== null && r?.attempts >= 1 && r;
    });
    expect(failed).toMatchObject({ processed_at: null, dead_at: null, last_error: 'Error' });
    const pending = (await listed('?status=pending&provider=africastalking')).items.find(
      (i) => i.id === String(failed.id),
    );
    expect(pending).toMatchObject({ status: 'pending', lastError: 'Error' });

    failing = false;
    const done = await runUntil('africastalking', externalId, (r) => r.processed_at !== null);
    expect(done).toMatchObject({ dead_at: null });
    expect(botCalls.filter((m) => m.id === sms.id)).toHaveLength(done.attempts);
    expect(botCalls.at(-1)).toMatchObject({ channel: 'sms', from: phone, text: 'help' });
    expect((await listed('?status=pending')).items.map((i) => i.id)).not.toContain(
      String(failed.id),
    );
  });

  it('an SMS that keeps failing ends dead: listed by the admin API, counted by the metric, and replayable', async () => {
    const deadBefore = await metric(DEAD_SMS);
    const phone = newPhone();
    const text = `invoice 0712${randomInt(100_000, 999_999)} 1500 Logo`;
    const sms = await smsFromAt(phone, text);
    expect(sms.callbackStatus).toBe(200);
    const externalId = `inbound:${sms.id}`;
    const dead = await runUntil('africastalking', externalId, (r) => r.dead_at !== null);
    expect(dead).toMatchObject({
      attempts: MAX_ATTEMPTS,
      processed_at: null,
      next_attempt_at: null,
    });
    expect(botCalls.filter((m) => m.id === sms.id)).toHaveLength(MAX_ATTEMPTS);
    // Dead is final: the outbox leaves it alone.
    await sleep(1_500);
    expect((await row('africastalking', externalId)).attempts).toBe(MAX_ATTEMPTS);

    const { items } = await listed();
    const item = items.find((i) => i.id === String(dead.id));
    expect(item).toEqual({
      id: String(dead.id),
      provider: 'africastalking',
      kind: 'inbound',
      externalId,
      status: 'dead',
      attempts: MAX_ATTEMPTS,
      lastError: 'Error',
      receivedAt: expect.any(String),
      nextAttemptAt: null,
      deadAt: expect.any(String),
      ageSeconds: expect.any(Number),
      payload: expect.objectContaining({ id: sms.id, from: expect.stringContaining('****') }),
    });
    // No phone number and no text in the answer, nor in the logs.
    expect(JSON.stringify(items)).not.toContain(phone.slice(4));
    expect(JSON.stringify(items)).not.toContain(text);
    expect(t.logs.text).not.toContain(text);
    expect(t.logs.text).not.toContain(phone.slice(4));
    expect((await listed('?provider=whatsapp')).items.map((i) => i.id)).not.toContain(item.id);
    expect(await metric(DEAD_SMS)).toBe(deadBefore + 1);

    // Fixed the cause: replay it from the admin API.
    failing = false;
    const retried = await request(t.url)
      .post(`/admin/inbound-events/${dead.id}/retry`)
      .set(admin)
      .expect(200);
    expect(retried.body).toMatchObject({ status: 'pending', attempts: 0, deadAt: null });
    const done = await waitFor('the replayed event', async () => {
      const r = await row('africastalking', externalId);
      return r.processed_at !== null && r;
    });
    expect(done.attempts).toBe(1);
    expect((await listed()).items.map((i) => i.id)).not.toContain(item.id);
    expect(await metric(DEAD_SMS)).toBe(deadBefore);
    await request(t.url)
      .post(`/admin/inbound-events/${dead.id}/retry`)
      .set(admin)
      .expect(409)
      .expect((res) => expect(res.body.code).toBe('inbound_event_processed'));
  });

  it('a WhatsApp message whose handling keeps failing is run a bounded number of times, then dead', async () => {
    const deadBefore = await metric(DEAD_WA);
    const from = `2547${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
    const wamid = `wamid.TEST${randomBytes(12).toString('hex').toUpperCase()}`;
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
                metadata: { display_phone_number: '15550783881', phone_number_id: '1065403522' },
                contacts: [{ profile: { name: 'Jane Wanjiku' }, wa_id: from }],
                messages: [
                  {
                    from,
                    id: wamid,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: 'hello there' },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    await request(t.url)
      .post('/whatsapp/webhook')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Secret', t.config.whatsapp.webhookSecret)
      .send(raw)
      .expect(200);
    const first = await waitFor('the first run to fail', async () => {
      const r = await row('whatsapp', wamid);
      return r?.last_error !== null && r?.attempts === 1 && r;
    });
    expect(first).toMatchObject({ processed_at: null, dead_at: null, last_error: 'Error' });

    const dead = await runUntil('whatsapp', wamid, (r) => r.dead_at !== null);
    expect(dead).toMatchObject({ attempts: MAX_ATTEMPTS, processed_at: null, last_error: 'Error' });
    expect(dead.dead_at).not.toBeNull();
    expect(botCalls.filter((m) => m.id === wamid)).toHaveLength(MAX_ATTEMPTS);
    // Not run any more.
    await sleep(1_500);
    expect((await row('whatsapp', wamid)).attempts).toBe(MAX_ATTEMPTS);

    const item = (await listed('?provider=whatsapp')).items.find((i) => i.externalId === wamid);
    expect(item).toMatchObject({
      provider: 'whatsapp',
      kind: 'message',
      status: 'dead',
      attempts: MAX_ATTEMPTS,
      lastError: 'Error',
    });
    const shown = JSON.stringify(item);
    expect(shown).not.toContain('Jane');
    expect(shown).not.toContain('hello there');
    expect(shown).not.toContain(from.slice(3));
    expect(await metric(DEAD_WA)).toBe(deadBefore + 1);
  });

  it('never touches STK callbacks or the internal ledgers', async () => {
    const externalId = `ws_CO_${randomInt(1e9, 1e10 - 1)}:0`;
    const [mpesa] = await db.query(
      `INSERT INTO inbound_events (provider, external_id, payload, received_at)
       VALUES ('mpesa', $1, '{}'::jsonb, now() - interval '2 hours') RETURNING id`,
      [externalId],
    );
    try {
      await sleep(1_500);
      expect(await row('mpesa', externalId)).toMatchObject({
        processed_at: null,
        dead_at: null,
        attempts: 0,
        last_error: null,
      });
      for (const status of ['dead', 'pending']) {
        const ids = (await listed(`?status=${status}&limit=200`)).items.map((i) => i.id);
        expect(ids).not.toContain(String(mpesa.id));
      }
      await request(t.url).post(`/admin/inbound-events/${mpesa.id}/retry`).set(admin).expect(404);
    } finally {
      await db.query(`DELETE FROM inbound_events WHERE id = $1`, [mpesa.id]);
    }
  });

  it('admin API: key required, validated query, keyset pages, OpenAPI', async () => {
    const merchant = await t.app
      .get(MerchantsService)
      .create(t.app.get(DataSource).manager, { displayName: 'Duka', whatsappPhone: newPhone() });
    for (const call of [
      () => request(t.url).get('/admin/inbound-events'),
      () => request(t.url).post('/admin/inbound-events/1/retry'),
    ]) {
      await call().expect(401);
      await call()
        .set({ Authorization: `Bearer ${merchant.apiKey}` })
        .expect(403);
    }
    const bad = await request(t.url)
      .get('/admin/inbound-events?status=gone')
      .set(admin)
      .expect(400);
    expect(bad.body.message).toContain('status must be one of dead, pending');
    await request(t.url).get('/admin/inbound-events?provider=mpesa').set(admin).expect(400);
    await request(t.url).get('/admin/inbound-events?cursor=nope').set(admin).expect(400);
    await request(t.url).post('/admin/inbound-events/not-an-id/retry').set(admin).expect(404);
    await request(t.url).post('/admin/inbound-events/999999999999/retry').set(admin).expect(404);

    // Two more dead events, so that there are pages to turn.
    const extra: { id: string }[] = await db.query(
      `INSERT INTO inbound_events (provider, external_id, payload, attempts, last_error, dead_at)
       VALUES ('africastalking', $1, '{}'::jsonb, 5, 'Error', now()),
              ('africastalking', $2, '{}'::jsonb, 5, 'Error', now())
       RETURNING id`,
      [`inbound:page-${randomInt(1e9)}`, `inbound:page-${randomInt(1e9)}`],
    );
    try {
      const page1 = await listed('?limit=1');
      expect(page1.items).toHaveLength(1);
      expect(page1.nextCursor).toEqual(expect.any(String));
      const page2 = await listed(`?limit=1&cursor=${page1.nextCursor}`);
      expect(Number(page2.items[0].id)).toBeLessThan(Number(page1.items[0].id));
    } finally {
      await db.query(`DELETE FROM inbound_events WHERE id = ANY($1::bigint[])`, [
        extra.map((r) => r.id),
      ]);
    }

    const { body } = await request(t.url).get('/docs-json').expect(200);
    for (const path of ['/admin/inbound-events', '/admin/inbound-events/{id}/retry']) {
      const ops = Object.values(body.paths[path] ?? {}) as { security?: unknown[] }[];
      expect(ops.length).toBeGreaterThan(0);
      for (const op of ops) expect(op.security).toContainEqual({ admin: [] });
    }
  });
});
