import { randomBytes, randomInt } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SmsChannel } from '../../src/channels/sms/africastalking.client';
import { SmsDeliveryReportService } from '../../src/channels/sms/sms-delivery-report.service';
import {
  SMS_INBOUND_HANDLER,
  type SmsInboundHandler,
  type SmsInboundMessage,
} from '../../src/channels/sms/sms-inbound.port';
import { SmsInboundService } from '../../src/channels/sms/sms-inbound.service';
import { SmsModule } from '../../src/channels/sms/sms.module';
import { AppConfig } from '../../src/config/app-config';
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

/** The bot stand-in: records what reaches the port, and can be told to fail. */
const handled: SmsInboundMessage[] = [];
let failNextHandles = 0;

@Injectable()
class RecordingInboundHandler implements SmsInboundHandler {
  handle(msg: SmsInboundMessage): Promise<void> {
    if (failNextHandles > 0) {
      failNextHandles -= 1;
      return Promise.reject(new Error(`bot crashed on "${msg.text}"`));
    }
    handled.push(msg);
    return Promise.resolve();
  }
}

@Module({ providers: [{ provide: SMS_INBOUND_HANDLER, useClass: RecordingInboundHandler }] })
class TestInboundModule {}

describe('SMS channel (Africa’s Talking)', () => {
  let t: TestApp;
  let ds: DataSource;
  let channel: SmsChannel;

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

  /** A client of the same code with other credentials, still over HTTP to the simulator. */
  const channelWith = (sms: Partial<AppConfig['sms']>): SmsChannel => {
    const config = new AppConfig({ ...t.config, sms: { ...t.config.sms, ...sms } });
    config.setListenUrl(t.url);
    return new SmsChannel(config);
  };

  beforeAll(async () => {
    // The sweeper every second, so that a message left to it is not waited for long.
    t = await createTestApp(
      { SMS_INBOUND_SWEEP_INTERVAL_SECONDS: '1' },
      { imports: [SmsModule, TestInboundModule] },
    );
    ds = t.app.get(DataSource);
    channel = t.app.get(SmsChannel);
  });
  afterAll(() => t.close());
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

    it('keeps a report that beats the messages row and replays it once the row exists', async () => {
      const phone = newPhone();
      await control(`numbers/${phone}`, { deliveryDelayMs: 0 });
      const outcome = await channel.send({ to: phone, content: { type: 'text', body: 'hi' } });
      const messageId = outcome.status === 'accepted' ? outcome.providerMessageId : '';
      const early = await eventually(
        () => events(`status:${messageId}:Success`),
        (rows) => rows.length === 1,
      );
      expect(early[0].processed_at).toBeNull();

      const rowId = await insertMessage(messageId);
      expect(await t.app.get(SmsDeliveryReportService).applyPending(messageId)).toBe(1);
      expect((await messageRow(rowId)).status).toBe('delivered');
      expect((await events(`status:${messageId}:Success`))[0].processed_at).not.toBeNull();
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
      const first = await messageRow(rowId);
      expect(first.status).toBe('sent');
      await Promise.all([postStatus(report), postStatus(report), postStatus(report)]).then((rs) =>
        rs.forEach((r) => expect(r.status).toBe(200)),
      );
      await postStatus(report).expect(200);
      const after = await messageRow(rowId);
      expect(after.updated_at).toEqual(first.updated_at);
      expect(after.sent_at).toEqual(first.sent_at);
      expect(await events(`status:${id}:Buffered`)).toHaveLength(1);
    });

    it('never lets a later report change a final status, even when they race', async () => {
      const rows = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const id = fakeAtId();
          return { id, rowId: await insertMessage(id) };
        }),
      );
      await Promise.all(
        rows.flatMap(({ id }) =>
          ['Submitted', 'Success', 'Sent', 'Buffered', 'Success'].map((status) =>
            postStatus({ id, status }).expect(200),
          ),
        ),
      );
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
      expect((await messageRow(rowId)).status).toBe('queued');
    });
  });

  describe('inbound SMS', () => {
    it('reaches the handler port with an E.164 sender and the text, once', async () => {
      const phone = newPhone();
      const res = await control('inbound', { from: national(phone), text: 'PAY INV-7KQ2MX' });
      expect(res.body).toEqual({
        id: expect.any(String),
        linkId: expect.any(String),
        callbackStatus: 200,
      });
      expect(handled).toEqual([
        {
          id: res.body.id,
          from: phone,
          to: '40404',
          text: 'PAY INV-7KQ2MX',
          receivedAt: expect.any(Date),
          networkCode: '63902',
          linkId: res.body.linkId,
        },
      ]);
      const [ledger] = await events(`inbound:${res.body.id}`);
      expect(ledger.processed_at).not.toBeNull();

      // AT retrying the same callback does not reach the bot twice.
      await postInbound({
        id: res.body.id,
        from: phone,
        to: '40404',
        text: 'PAY INV-7KQ2MX',
      }).expect(200);
      expect(handled).toHaveLength(1);
      expect(t.logs.text).not.toContain('PAY INV-7KQ2MX');
      expect(t.logs.text).not.toContain(phone.slice(4));
    });

    it('answers 503 when the bot fails, so AT retries, and the retry is handled', async () => {
      failNextHandles = 1;
      const phone = newPhone();
      const res = await control('inbound', { from: phone, text: 'invoice 0712345678 1500 Logo' });
      expect(res.body.callbackStatus).toBe(503);
      expect(handled).toEqual([]);
      // The simulator retries like AT does (after 250 ms). The handler runs before the ledger
      // row is stamped processed, so wait for the stamp rather than for the handler call.
      const ledger = await eventually(
        async () => (await events(`inbound:${res.body.id}`))[0],
        (row) => row?.processed_at != null,
      );
      expect(ledger.processed_at).not.toBeNull();
      expect(handled).toEqual([expect.objectContaining({ id: res.body.id, from: phone })]);
      expect(t.logs.text).not.toContain('Logo');
    });

    it('leaves a failed message to the scheduled sweeper when no retry comes', async () => {
      failNextHandles = 1;
      const id = `in-${randomBytes(6).toString('hex')}`;
      const phone = newPhone();
      await postInbound({
        id,
        from: phone,
        to: '40404',
        text: 'help',
        date: '2024-05-01 10:00:00',
      }).expect(503);
      const [failed] = await events(`inbound:${id}`);
      // One attempt spent, due again after the backoff (1–2 s); only the error's type is kept.
      expect(failed).toMatchObject({ processed_at: null, dead_at: null, attempts: 1 });
      expect(failed.last_error).toBe('Error');
      const backoff =
        new Date(failed.next_attempt_at).getTime() - new Date(failed.received_at).getTime();
      expect(backoff).toBeGreaterThanOrEqual(900);
      expect(backoff).toBeLessThan(3_000);
      // Nobody calls processPending: the sweeper runs on its schedule.
      const row = await eventually(
        async () => (await events(`inbound:${id}`))[0],
        (r) => r?.processed_at != null,
      );
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

    it('does not hand a concurrent duplicate to the bot while the first is in flight', async () => {
      const id = `in-${randomBytes(6).toString('hex')}`;
      const fields = { id, from: newPhone(), to: '40404', text: 'hello' };
      const answers = await Promise.all([
        postInbound(fields),
        postInbound(fields),
        postInbound(fields),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(handled.filter((m) => m.id === id)).toHaveLength(1);
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
      expect(handled).toEqual([]);
      expect(await events(`inbound:${id}`)).toEqual([]);
    });
  });
});

describe('SMS channel without a bound inbound handler', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({}, { imports: [SmsModule] });
  });
  afterAll(() => t.close());

  it('stores the inbound SMS unprocessed, for replay by the integrator', async () => {
    const phone = newPhone();
    const res = await request(t.url)
      .post('/sandbox/africastalking/control/inbound')
      .send({ from: phone, text: 'STOP' })
      .expect(200);
    expect(res.body.callbackStatus).toBe(200);
    const [row] = await t.app
      .get(DataSource)
      .query(
        `SELECT * FROM inbound_events WHERE provider = 'africastalking' AND external_id = $1`,
        [`inbound:${res.body.id}`],
      );
    expect(row.processed_at).toBeNull();
    expect(row.payload).toMatchObject({ id: res.body.id, from: phone, to: '40404', text: 'STOP' });
    expect(await t.app.get(SmsInboundService).processPending()).toBe(0);
  });
});
