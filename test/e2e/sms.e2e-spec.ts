import { randomBytes, randomInt } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SmsChannel } from '../../src/channels/sms/africastalking.client';
import { SmsModule } from '../../src/channels/sms/sms.module';
import type { InboundMessage } from '../../src/common/messaging/inbound-message.port';
import { AppConfig } from '../../src/config/app-config';
import { BotService } from '../../src/conversations/bot.service';
import { InboundModule } from '../../src/inbound/inbound.module';
import { RuntimePollers } from '../../src/runtime/runtime-pollers';
import { AfricasTalkingSimulatorState } from '../../src/sandbox/africastalking/africastalking-simulator.state';
import { createTestApp, type TestApp } from '../utils/create-app';

/** A fresh, valid Safaricom number per test so that simulator state never leaks between tests. */
const newPhone = (): string => `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
const national = (e164: string): string => `0${e164.slice(4)}`;
const fakeAtId = (): string => `ATXid_${randomBytes(16).toString('hex')}`;

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 8_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The bot stand-in: records what the inbound queue hands it, and can be told to fail. */
const handled: InboundMessage[] = [];
let failNextHandles = 0;

/** On the prototype, before the app starts: its outbox drains right at bootstrap. */
function standInForTheBot(): jest.SpyInstance {
  return jest.spyOn(BotService.prototype, 'handle').mockImplementation((msg: InboundMessage) => {
    if (failNextHandles > 0) {
      failNextHandles -= 1;
      return Promise.reject(new Error(`bot crashed on "${msg.text}"`));
    }
    handled.push(msg);
    return Promise.resolve();
  });
}

/** The outbox rows that carry one recorded Africa's Talking event to its consumer. */
const queuedRuns = (ds: DataSource, eventId: string): Promise<any[]> =>
  ds.query(
    `SELECT * FROM outbox WHERE kind = 'inbound.africastalking' AND payload->>'inboundEventId' = $1 ORDER BY id`,
    [String(eventId)],
  );
/** The same, once none is waiting or running any more (the ledger is stamped just before). */
const finishedRuns = (ds: DataSource, eventId: string): Promise<any[]> =>
  eventually(
    () => queuedRuns(ds, eventId),
    (rows) => rows.every((r) => r.status === 'done' || r.status === 'dead'),
  );

describe('SMS channel (Africa’s Talking)', () => {
  let t: TestApp;
  let ds: DataSource;
  let channel: SmsChannel;
  let bot: jest.SpyInstance;

  const sim = (path: string) => `/sandbox/africastalking/control/${path}`;
  const control = (path: string, body: object) =>
    request(t.url).post(sim(path)).send(body).expect(200);
  // National form in the path: the request logger masks it (a %2B-encoded + would slip past).
  const inbox = async (phone: string): Promise<any[]> =>
    (
      await request(t.url)
        .get(sim(`inbox/${national(phone)}`))
        .expect(200)
    ).body.messages;

  const insertMessage = async (providerMessageId: string, status = 'queued'): Promise<string> => {
    const rows = await ds.query(
      `INSERT INTO messages (direction, channel, provider_message_id, kind, status)
       VALUES ('outbound', 'sms', $1, 'sms', $2) RETURNING id`,
      [providerMessageId, status],
    );
    return rows[0].id;
  };
  const messageRow = async (id: string): Promise<any> =>
    (await ds.query(`SELECT * FROM messages WHERE id = $1`, [id]))[0];
  const events = (externalId: string): Promise<any[]> =>
    ds.query(
      `SELECT * FROM inbound_events WHERE provider = 'africastalking' AND external_id = $1`,
      [externalId],
    );
  const eventsLike = (prefix: string): Promise<any[]> =>
    ds.query(
      `SELECT * FROM inbound_events WHERE provider = 'africastalking' AND starts_with(external_id, $1) ORDER BY id`,
      [prefix],
    );
  const postStatus = (fields: Record<string, string>, secret = t.config.sms.webhookSecret) =>
    request(t.url).post(`/sms/status/${secret}`).type('form').send(fields);
  const postInbound = (fields: Record<string, string>, secret = t.config.sms.webhookSecret) =>
    request(t.url).post(`/sms/inbound/${secret}`).type('form').send(fields);
  /** Returns once the outbox has run every row due now (the dispatcher's own drain). */
  const drainQueue = () => t.app.get(RuntimePollers).dispatcher.drain();
  /** The ledger row once its consumer has run `attempts` times and the last run failed. */
  const failedRun = (externalId: string, attempts = 1) =>
    eventually(
      async () => (await events(externalId))[0],
      (row) => row?.attempts >= attempts && row.last_error !== null,
    );
  /**
   * Skips the backoff of a failed run: its outbox row is due now (once the dispatcher has put
   * it back to 'pending'). Resolves with how many rows that made due.
   */
  const dueNow = (eventId: string) =>
    eventually(
      async () =>
        (
          await ds.query(
            `WITH due AS (
               UPDATE outbox SET next_attempt_at = now()
                WHERE kind LIKE 'inbound.%' AND payload->>'inboundEventId' = $1 AND status = 'pending'
                RETURNING id)
             SELECT count(*)::int AS n FROM due`,
            [String(eventId)],
          )
        )[0].n as number,
      (n) => n > 0,
    );
  const processed = (externalId: string) =>
    eventually(
      async () => (await events(externalId))[0],
      (row) => row?.processed_at != null,
    );

  /** A client of the same code with other credentials, still over HTTP to the simulator. */
  const channelWith = (sms: Partial<AppConfig['sms']>): SmsChannel => {
    const config = new AppConfig({ ...t.config, sms: { ...t.config.sms, ...sms } });
    config.setListenUrl(t.url);
    return new SmsChannel(config);
  };

  beforeAll(async () => {
    bot = standInForTheBot();
    t = await createTestApp({}, { imports: [SmsModule, InboundModule] });
    ds = t.app.get(DataSource);
    channel = t.app.get(SmsChannel);
  });
  afterAll(async () => {
    await t.close();
    bot.mockRestore();
  });
  beforeEach(async () => {
    handled.length = 0;
    failNextHandles = 0;
    await control('reset', {});
  });

  describe('sending', () => {
    it('is accepted with an ATXid, lands in the inbox, and its delivery report marks the row delivered', async () => {
      const phone = newPhone();
      await control(`numbers/${phone}`, { deliveryDelayMs: 300 });
      const outcome = await channel.send({
        to: national(phone),
        content: { type: 'text', body: 'Invoice INV-7KQ2MX from Acme: KES 1,500' },
      });
      expect(outcome).toEqual({
        status: 'accepted',
        providerMessageId: expect.stringMatching(/^ATXid_[0-9a-f]{32}$/),
      });
      const messageId = outcome.status === 'accepted' ? outcome.providerMessageId : '';
      const rowId = await insertMessage(messageId);

      const [sms] = await inbox(phone);
      expect(sms).toMatchObject({
        messageId,
        to: phone,
        message: 'Invoice INV-7KQ2MX from Acme: KES 1,500',
        segments: 1,
        cost: 'KES 0.8000',
      });

      const row = await eventually(
        () => messageRow(rowId),
        (r) => r.status === 'delivered',
      );
      expect(row.status).toBe('delivered');
      expect(row.delivered_at).not.toBeNull();
      expect(row.sent_at).not.toBeNull();
      expect((await inbox(phone))[0].status).toBe('Success');
      expect(await events(`status:${messageId}:Success`)).toHaveLength(1);
      // Neither the body nor the number reach the logs.
      expect(t.logs.text).not.toContain('INV-7KQ2MX from Acme');
      expect(t.logs.text).not.toContain(phone.slice(4));
    });

    it('announces inbox changes on the simulator event emitter (for a live page)', async () => {
      const seen: { phone: string; status: string }[] = [];
      const state = t.app.get(AfricasTalkingSimulatorState);
      const listener = ({ phone, sms }: { phone: string; sms: { status: string } }) =>
        seen.push({ phone, status: sms.status });
      state.events.on('inbox', listener);
      try {
        const phone = newPhone();
        await control(`numbers/${phone}`, { deliveryDelayMs: 0 });
        await channel.send({ to: phone, content: { type: 'text', body: 'x' } });
        await eventually(
          async () => seen.length,
          (n) => n >= 2,
        );
        expect(seen).toEqual([
          { phone, status: 'Queued' },
          { phone, status: 'Success' },
        ]);
      } finally {
        state.events.off('inbox', listener);
      }
    });

    it('sends the sender id when configured and renders buttons as reply lines', async () => {
      const phone = newPhone();
      const outcome = await channelWith({ senderId: 'InvoiceIQ' }).send({
        to: phone,
        content: {
          type: 'buttons',
          body: 'Invoice INV-1: KES 100',
          buttons: [{ id: 'pay:INV-1', title: 'Pay' }],
        },
      });
      expect(outcome.status).toBe('accepted');
      expect((await inbox(phone))[0]).toMatchObject({
        from: 'InvoiceIQ',
        message: 'Invoice INV-1: KES 100\nReply 1 for Pay',
      });
    });

    it('keeps a report that beats the messages row and applies it on the queue’s retry once the row exists', async () => {
      const phone = newPhone();
      await control(`numbers/${phone}`, { deliveryDelayMs: 0 });
      const outcome = await channel.send({ to: phone, content: { type: 'text', body: 'hi' } });
      const messageId = outcome.status === 'accepted' ? outcome.providerMessageId : '';
      const externalId = `status:${messageId}:Success`;
      // Its first run found no messages row: not handled, not dead, due again after the backoff.
      const early = await failedRun(externalId);
      expect(early).toMatchObject({
        processed_at: null,
        dead_at: null,
        attempts: 1,
        last_error: 'UnmatchedReportError',
      });

      const rowId = await insertMessage(messageId);
      expect(await dueNow(early.id)).toBe(1);
      const done = await processed(externalId);
      expect(done).toMatchObject({ attempts: 2, dead_at: null, last_error: null });
      expect((await messageRow(rowId)).status).toBe('delivered');
      expect((await finishedRuns(ds, early.id)).map((r) => r.status)).toEqual(['done']);
    });

    it('refuses an invalid number at the simulator with 403 per recipient', async () => {
      const res = await request(t.url)
        .post('/sandbox/africastalking/version1/messaging')
        .set('apiKey', t.config.sms.apiKey)
        .set('Accept', 'application/json')
        .type('form')
        .send({
          username: t.config.sms.username,
          to: `0712345678,+25420123,${newPhone()}`,
          message: 'x',
        })
        .expect(201);
      const [national0, short, good] = res.body.SMSMessageData.Recipients;
      expect(national0).toMatchObject({ statusCode: 403, status: 'InvalidPhoneNumber', cost: '0' });
      expect(short).toMatchObject({ statusCode: 403, status: 'InvalidPhoneNumber', cost: '0' });
      expect(good).toMatchObject({ statusCode: 101, status: 'Success', cost: 'KES 0.8000' });
      expect(res.body.SMSMessageData.Message).toBe('Sent to 1/3 Total Cost: KES 0.8000');
    });

    it('answers the exact documented body at the bare mount point too', async () => {
      const phone = newPhone();
      const res = await request(t.url)
        .post('/sandbox/africastalking')
        .set('apiKey', t.config.sms.apiKey)
        .type('form')
        .send({ username: t.config.sms.username, to: phone, message: 'hello', enqueue: '1' })
        .expect(201);
      expect(res.body).toEqual({
        SMSMessageData: {
          Message: 'Sent to 1/1 Total Cost: KES 0.8000',
          Recipients: [
            {
              statusCode: 101,
              number: phone,
              status: 'Success',
              cost: 'KES 0.8000',
              messageId: expect.stringMatching(/^ATXid_[0-9a-f]+$/),
            },
          ],
        },
      });
    });

    it('maps a 403 for the person to permanent without alert, and never sends a bad number', async () => {
      const phone = newPhone();
      await control(`numbers/${phone}`, { failNextSends: { statusCode: 403, count: 1 } });
      expect(await channel.send({ to: phone, content: { type: 'text', body: 'x' } })).toEqual({
        status: 'permanent',
        code: 'InvalidPhoneNumber',
        reason: expect.any(String),
      });
      expect(
        await channel.send({ to: '0201234567', content: { type: 'text', body: 'x' } }),
      ).toMatchObject({
        status: 'permanent',
        code: 'InvalidPhoneNumber',
      });
      expect(await inbox(phone)).toEqual([]);
    });

    it('maps forced 500 and 502 to retryable, then succeeds once', async () => {
      const phone = newPhone();
      const send = () => channel.send({ to: phone, content: { type: 'text', body: 'retry me' } });
      await control(`numbers/${phone}`, { failNextSends: { statusCode: 500, count: 1 } });
      expect(await send()).toMatchObject({ status: 'retryable', code: 'InternalServerError' });
      await control(`numbers/${phone}`, { failNextSends: { statusCode: 502, count: 2 } });
      expect(await send()).toMatchObject({ status: 'retryable', code: 'RejectedByGateway' });
      expect(await send()).toMatchObject({ status: 'retryable', code: 'RejectedByGateway' });
      expect(await send()).toMatchObject({ status: 'accepted' });
      expect(await inbox(phone)).toHaveLength(1);
    });

    it('maps insufficient balance (405) to permanent with alert', async () => {
      const phone = newPhone();
      await control('balance', { insufficient: true });
      expect(await channel.send({ to: phone, content: { type: 'text', body: 'x' } })).toEqual({
        status: 'permanent',
        code: 'InsufficientBalance',
        reason: expect.any(String),
        alert: true,
      });
      expect(await inbox(phone)).toEqual([]);
    });

    it('maps a bad apiKey (HTTP 401 text) to permanent with alert', async () => {
      const raw = await request(t.url)
        .post('/sandbox/africastalking/version1/messaging')
        .set('apiKey', 'wrong')
        .type('form')
        .send({ username: t.config.sms.username, to: newPhone(), message: 'x' })
        .expect(401);
      expect(raw.headers['content-type']).toMatch(/^text\/plain/);
      expect(raw.text).toBe('The supplied authentication is invalid');

      const phone = newPhone();
      for (const bad of [{ apiKey: 'wrong-key' }, { username: 'someone-else' }]) {
        expect(
          await channelWith(bad).send({ to: phone, content: { type: 'text', body: 'x' } }),
        ).toEqual({
          status: 'permanent',
          code: 'AuthenticationFailed',
          reason: expect.any(String),
          alert: true,
        });
      }
      expect(await inbox(phone)).toEqual([]);
    });

    it('maps an unreachable provider to retryable', async () => {
      const closed = new AppConfig({
        ...t.config,
        sms: { ...t.config.sms, baseUrl: 'http://127.0.0.1:9/version1/messaging' },
      });
      expect(
        await new SmsChannel(closed).send({ to: newPhone(), content: { type: 'text', body: 'x' } }),
      ).toMatchObject({
        status: 'retryable',
        code: 'NetworkError',
      });
    });
  });

  describe('delivery reports', () => {
    it('answers a wrong secret with the standard 404 and stores nothing', async () => {
      const id = fakeAtId();
      for (const secret of ['wrong-secret-0000', `${t.config.sms.webhookSecret}x`, 'a']) {
        const res = await postStatus({ id, status: 'Success' }, secret).expect(404);
        expect(res.body).toEqual({
          statusCode: 404,
          error: 'Not Found',
          message: `Cannot POST /sms/status/${secret}`,
          requestId: expect.any(String),
        });
        await postInbound({ id, from: newPhone(), to: '40404', text: 'x' }, secret).expect(404);
      }
      expect(await events(`status:${id}:Success`)).toEqual([]);
      expect(await events(`inbound:${id}`)).toEqual([]);
      expect(handled).toEqual([]);
    });

    it('applies duplicates (×5, some concurrent) once', async () => {
      const id = fakeAtId();
      const rowId = await insertMessage(id);
      const report = {
        id,
        status: 'Buffered',
        phoneNumber: newPhone(),
        networkCode: '63902',
        retryCount: '0',
      };
      await postStatus(report).expect(200);
      const [event] = await events(`status:${id}:Buffered`);
      await processed(`status:${id}:Buffered`);
      const first = await messageRow(rowId);
      expect(first.status).toBe('sent');
      await Promise.all([postStatus(report), postStatus(report), postStatus(report)]).then((rs) =>
        rs.forEach((r) => expect(r.status).toBe(200)),
      );
      await postStatus(report).expect(200);
      await drainQueue();
      const after = await messageRow(rowId);
      expect(after.updated_at).toEqual(first.updated_at);
      expect(after.sent_at).toEqual(first.sent_at);
      expect(await events(`status:${id}:Buffered`)).toHaveLength(1);
      // The duplicates were never queued: one run, done.
      expect((await queuedRuns(ds, event.id)).map((r) => r.status)).toEqual(['done']);
    });

    it('never lets a later report change a final status, even when they race', async () => {
      const rows = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const id = fakeAtId();
          return { id, rowId: await insertMessage(id) };
        }),
      );
      const statuses = ['Submitted', 'Success', 'Sent', 'Buffered', 'Success'];
      await Promise.all(
        rows.flatMap(({ id }) => statuses.map((status) => postStatus({ id, status }).expect(200))),
      );
      // The queue applies them concurrently (the dispatcher runs several rows at once).
      for (const { id } of rows)
        for (const status of new Set(statuses)) await processed(`status:${id}:${status}`);
      for (const { rowId } of rows) {
        expect(await messageRow(rowId)).toMatchObject({ status: 'delivered', failed_at: null });
      }
    });

    it('keeps Failed when a late Success arrives (simulator-driven)', async () => {
      const phone = newPhone();
      await control(`numbers/${phone}`, { deliveryStatus: 'Failed', deliveryDelayMs: 200 });
      const outcome = await channel.send({ to: phone, content: { type: 'text', body: 'x' } });
      const messageId = outcome.status === 'accepted' ? outcome.providerMessageId : '';
      const rowId = await insertMessage(messageId, 'sent');
      const failed = await eventually(
        () => messageRow(rowId),
        (r) => r.status === 'failed',
      );
      expect(failed).toMatchObject({ status: 'failed', error_code: 'DeliveryFailure' });
      expect(failed.failed_at).not.toBeNull();

      const late = await control('delivery-reports', { messageId, status: 'Success' });
      expect(late.body).toEqual({ callbackStatus: 200 });
      await processed(`status:${messageId}:Success`);
      const row = await messageRow(rowId);
      expect(row).toMatchObject({
        status: 'failed',
        error_code: 'DeliveryFailure',
        delivered_at: null,
      });
      expect(row.updated_at).toEqual(failed.updated_at);
      const ledger = await events(`status:${messageId}:Success`);
      expect(ledger).toHaveLength(1);
      expect(ledger[0].processed_at).not.toBeNull();
    });

    it('records AbsentSubscriber with its failure reason', async () => {
      const phone = newPhone();
      await control(`numbers/${phone}`, {
        deliveryStatus: 'AbsentSubscriber',
        deliveryDelayMs: 200,
      });
      const outcome = await channel.send({ to: phone, content: { type: 'text', body: 'x' } });
      const rowId = await insertMessage(
        outcome.status === 'accepted' ? outcome.providerMessageId : '',
      );
      const row = await eventually(
        () => messageRow(rowId),
        (r) => r.status === 'failed',
      );
      expect(row).toMatchObject({ status: 'failed', error_code: 'AbsentSubscriber' });
    });

    it('answers unusable bodies 200 (AT would retry a 4xx forever), records why, changes nothing', async () => {
      const id = fakeAtId();
      const rowId = await insertMessage(id);
      const before = await eventsLike('rejected:status:');

      await postStatus({ id, status: 'Delivered' }).expect(200); // not an AT status
      await postStatus({ id, status: 'Delivered' }).expect(200); // its retry dedupes
      await postStatus({ status: 'Success' }).expect(200); // no id
      await request(t.url)
        .post(`/sms/status/${t.config.sms.webhookSecret}`)
        .set('Content-Type', 'text/plain')
        .send('%%%garbage')
        .expect(200);

      const added = (await eventsLike('rejected:status:')).slice(before.length);
      expect(added.map((e) => e.payload.rejected).sort()).toEqual([
        'bad_id',
        'not_a_form', // text/plain is not parsed at all
        'unknown_status',
      ]);
      expect(added.find((e) => e.payload.rejected === 'unknown_status').payload).toEqual({
        kind: 'status',
        rejected: 'unknown_status',
        id,
        fields: ['id', 'status'],
      });
      expect(added.every((e) => e.processed_at !== null)).toBe(true);
      // Kept for the record only: nothing is queued for them.
      for (const e of added) expect(await queuedRuns(ds, e.id)).toEqual([]);
      await drainQueue();
      expect((await messageRow(rowId)).status).toBe('queued');
    });
  });

  describe('inbound SMS', () => {
    it('reaches the bot with an E.164 sender and the text, once', async () => {
      const phone = newPhone();
      const res = await control('inbound', { from: national(phone), text: 'PAY INV-7KQ2MX' });
      expect(res.body).toEqual({
        id: expect.any(String),
        linkId: expect.any(String),
        callbackStatus: 200,
      });
      const ledger = await processed(`inbound:${res.body.id}`);
      expect(handled).toEqual([
        {
          channel: 'sms',
          id: res.body.id,
          from: phone,
          type: 'text',
          text: 'PAY INV-7KQ2MX',
          receivedAt: expect.any(Date),
        },
      ]);
      // What AT sent besides is kept with the event.
      expect(ledger.payload).toEqual({
        kind: 'message',
        id: res.body.id,
        from: phone,
        to: '40404',
        text: 'PAY INV-7KQ2MX',
        receivedAt: expect.any(String),
        networkCode: '63902',
        linkId: res.body.linkId,
      });
      expect(ledger.attempts).toBe(1);

      // AT retrying the same callback does not reach the bot twice: it is not even queued.
      await postInbound({
        id: res.body.id,
        from: phone,
        to: '40404',
        text: 'PAY INV-7KQ2MX',
      }).expect(200);
      await drainQueue();
      expect(handled).toHaveLength(1);
      expect(await queuedRuns(ds, ledger.id)).toHaveLength(1);
      expect(t.logs.text).not.toContain('PAY INV-7KQ2MX');
      expect(t.logs.text).not.toContain(phone.slice(4));
    });

    it('answers 200 when the bot fails, and the queue runs it again until it is handled', async () => {
      failNextHandles = 1;
      const phone = newPhone();
      const res = await control('inbound', { from: phone, text: 'invoice 0712345678 1500 Logo' });
      // Recorded is what the answer promises: AT need not retry (the simulator would, on a 5xx).
      expect(res.body.callbackStatus).toBe(200);
      const failed = await failedRun(`inbound:${res.body.id}`);
      expect(failed).toMatchObject({ processed_at: null, dead_at: null, attempts: 1 });
      // Only the error's type is kept: its message quotes the text.
      expect(failed.last_error).toBe('Error');
      expect(handled).toEqual([]);

      expect(await dueNow(failed.id)).toBe(1);
      const ledger = await processed(`inbound:${res.body.id}`);
      expect(ledger).toMatchObject({ attempts: 2, dead_at: null, last_error: null });
      expect(handled).toEqual([expect.objectContaining({ id: res.body.id, from: phone })]);
      expect((await finishedRuns(ds, failed.id)).map((r) => r.status)).toEqual(['done']);
      expect(t.logs.text).not.toContain('Logo');
    });

    it('runs a failed message again after the backoff by itself, with nobody poking it', async () => {
      failNextHandles = 1;
      const id = `in-${randomBytes(6).toString('hex')}`;
      const phone = newPhone();
      await postInbound({
        id,
        from: phone,
        to: '40404',
        text: 'help',
        date: '2024-05-01 10:00:00',
      }).expect(200);
      const failed = await failedRun(`inbound:${id}`);
      expect(failed).toMatchObject({ processed_at: null, dead_at: null, attempts: 1 });
      expect(failed.last_error).toBe('Error');
      // One attempt spent, due again after the outbox's backoff (1–2 s after the first).
      const [run] = await eventually(
        () => queuedRuns(ds, failed.id),
        (rows) => rows[0]?.status !== 'running',
      );
      expect(run).toMatchObject({ status: 'pending', attempts: 1, last_error: 'Error' });
      const backoff = new Date(run.next_attempt_at).getTime() - new Date(run.updated_at).getTime();
      expect(backoff).toBeGreaterThanOrEqual(900);
      expect(backoff).toBeLessThan(3_000);
      // The outbox's own poll picks it up once due.
      const row = await processed(`inbound:${id}`);
      expect(row).toMatchObject({ attempts: 2, dead_at: null });
      expect(handled).toEqual([
        expect.objectContaining({
          id,
          from: phone,
          text: 'help',
          receivedAt: new Date('2024-05-01T10:00:00Z'),
        }),
      ]);
    });

    it('does not hand a concurrent duplicate to the bot', async () => {
      const id = `in-${randomBytes(6).toString('hex')}`;
      const fields = { id, from: newPhone(), to: '40404', text: 'hello' };
      const answers = await Promise.all([
        postInbound(fields),
        postInbound(fields),
        postInbound(fields),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      const ledger = await events(`inbound:${id}`);
      expect(ledger).toHaveLength(1);
      await processed(`inbound:${id}`);
      await drainQueue();
      expect(handled.filter((m) => m.id === id)).toHaveLength(1);
      expect(await queuedRuns(ds, ledger[0].id)).toHaveLength(1);
    });

    it('answers unusable bodies 200, records why, and never calls the bot', async () => {
      const before = await eventsLike('rejected:inbound:');
      const id = `in-${randomBytes(6).toString('hex')}`;
      await postInbound({ id, from: '+14155550100', to: '40404', text: 'hi' }).expect(200);
      await postInbound({ id, to: '40404', text: 'hi' }).expect(200);
      await postInbound({ from: newPhone(), text: 'hi' }).expect(200);
      const added = (await eventsLike('rejected:inbound:')).slice(before.length);
      expect(added.map((e) => e.payload.rejected).sort()).toEqual([
        'bad_id',
        'from_not_kenyan',
        'missing_from',
      ]);
      // Field names only: no number, no text.
      expect(JSON.stringify(added)).not.toContain('4155550100');
      expect(JSON.stringify(added.map((e) => e.payload))).not.toContain('"hi"');
      for (const e of added) expect(await queuedRuns(ds, e.id)).toEqual([]);
      await drainQueue();
      expect(handled).toEqual([]);
      expect(await events(`inbound:${id}`)).toEqual([]);
    });
  });
});

describe('SMS channel without InboundModule (nobody consumes inbound events)', () => {
  const inboundRow = async (ds: DataSource, id: string): Promise<any> =>
    (
      await ds.query(
        `SELECT * FROM inbound_events WHERE provider = 'africastalking' AND external_id = $1`,
        [`inbound:${id}`],
      )
    )[0];

  it('keeps the inbound SMS unprocessed with its outbox row pending, for an app that consumes it later', async () => {
    const phone = newPhone();
    const first = await createTestApp({}, { imports: [SmsModule] });
    let id: string;
    let eventId: string;
    try {
      const res = await request(first.url)
        .post('/sandbox/africastalking/control/inbound')
        .send({ from: phone, text: 'STOP' })
        .expect(200);
      expect(res.body.callbackStatus).toBe(200);
      id = res.body.id;
      const ds = first.app.get(DataSource);
      // The outbox leaves a kind nobody here consumes alone (a rolling deploy's rule).
      await first.app.get(RuntimePollers).dispatcher.drain();
      const row = await inboundRow(ds, id);
      expect(row).toMatchObject({ processed_at: null, dead_at: null, attempts: 0 });
      expect(row.payload).toMatchObject({ id, from: phone, to: '40404', text: 'STOP' });
      eventId = row.id;
      expect(await queuedRuns(ds, eventId)).toEqual([
        expect.objectContaining({ status: 'pending', attempts: 0 }),
      ]);
    } finally {
      await first.close();
    }

    handled.length = 0;
    const bot = standInForTheBot();
    const second = await createTestApp({}, { imports: [SmsModule, InboundModule] });
    try {
      const ds = second.app.get(DataSource);
      const row = await eventually(
        () => inboundRow(ds, id),
        (r) => r.processed_at !== null,
      );
      expect(row).toMatchObject({ attempts: 1, dead_at: null });
      expect(handled).toEqual([
        expect.objectContaining({ channel: 'sms', id, from: phone, text: 'STOP' }),
      ]);
      expect((await finishedRuns(ds, eventId)).map((r) => r.status)).toEqual(['done']);
    } finally {
      await second.close();
      bot.mockRestore();
    }
  });
});
