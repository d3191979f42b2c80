import { randomInt } from 'node:crypto';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { MessageContent, SendOutcome } from '../../src/common/messaging/channel.port';
import { WhatsAppChannel } from '../../src/channels/whatsapp/whatsapp.client';
import { WhatsAppModule } from '../../src/channels/whatsapp/whatsapp.module';
import { AppConfig, type WhatsAppConfig } from '../../src/config/app-config';
import { WHATSAPP_TEMPLATES } from '../../src/sandbox/whatsapp/template-registry';
import {
  type TranscriptEntry,
  WhatsAppSimulatorState,
} from '../../src/sandbox/whatsapp/whatsapp-simulator.state';
import { BotService } from '../../src/conversations/bot.service';
import { InboundModule } from '../../src/inbound/inbound.module';
import { createTestApp, type TestApp } from '../utils/create-app';

const usedPhones: string[] = [];
const newPhone = (): string => {
  const phone = `+2547${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
  usedPhones.push(phone);
  return phone;
};
const digits = (phone: string): string => phone.replace(/^\+/, '');

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

function expectAccepted(outcome: SendOutcome): string {
  expect(outcome).toEqual({
    status: 'accepted',
    providerMessageId: expect.stringMatching(/^wamid\./),
  });
  return outcome.status === 'accepted' ? outcome.providerMessageId : '';
}

const PROVIDERS = [
  { provider: '360dialog', env: {} },
  { provider: 'meta', env: { WABA_PROVIDER: 'meta' } },
] as const;

describe.each(PROVIDERS)(
  'WhatsApp client through the simulator ($provider)',
  ({ provider, env }) => {
    let t: TestApp;
    let ds: DataSource;
    let channel: WhatsAppChannel;

    const control = (path: string, body: object = {}) =>
      request(t.url).post(`/sandbox/whatsapp/control/${path}`).send(body).expect(200);
    const transcript = async (phone: string): Promise<TranscriptEntry[]> =>
      (
        await request(t.url)
          .get(`/sandbox/whatsapp/control/users/${digits(phone)}/transcript`)
          .expect(200)
      ).body.messages;
    const openWindow = async (phone: string) => {
      const res = await control(`users/${digits(phone)}/inbound`, { text: 'Habari' });
      expect(res.body.webhookStatus).toBe(200);
    };
    /** A send straight to the simulator, as the real API would get it, bypassing the client. */
    const rawSend = (body: object) => {
      const { token, phoneId } = t.config.whatsapp;
      const req =
        provider === 'meta'
          ? request(t.url)
              .post(`/sandbox/whatsapp/${phoneId}/messages`)
              .set('Authorization', `Bearer ${token}`)
          : request(t.url).post('/sandbox/whatsapp/messages').set('D360-API-KEY', token);
      return req.send(body);
    };
    const channelWith = (change: Partial<WhatsAppConfig>): WhatsAppChannel => {
      const config = new AppConfig({ ...t.config, whatsapp: { ...t.config.whatsapp, ...change } });
      config.setListenUrl(t.url);
      return new WhatsAppChannel(config);
    };
    const messageRow = async (providerMessageId: string): Promise<Record<string, any>> => {
      const rows = await ds.query<Record<string, any>[]>(
        `SELECT * FROM messages WHERE channel = 'whatsapp' AND provider_message_id = $1`,
        [providerMessageId],
      );
      return rows[0];
    };
    const insertOutbound = (providerMessageId: string, phone: string, kind = 'text') =>
      ds.query(
        `INSERT INTO messages (direction, channel, provider_message_id, recipient, kind, status)
       VALUES ('outbound', 'whatsapp', $1, $2, $3, 'queued')`,
        [providerMessageId, phone, kind],
      );

    beforeAll(async () => {
      // Logs outside a request go to the first app's stream of the process unless reset.
      __resetOutOfContextForTests();
      // The inbound queue's consumers turn the simulator's status webhooks into row updates; the
      // bot, which would answer the users' inbound messages, stays silent.
      jest.spyOn(BotService.prototype, 'handle').mockResolvedValue(undefined);
      t = await createTestApp(env, { imports: [WhatsAppModule, InboundModule] });
      ds = t.app.get(DataSource);
      channel = t.app.get(WhatsAppChannel);
    });
    afterAll(async () => {
      await t.close();
      jest.restoreAllMocks();
    });
    beforeEach(async () => {
      await control('reset');
      await control('timing', { stepMs: 30 });
    });

    it('sends every kind of content and gets each accepted with a wamid', async () => {
      const to = newPhone();
      await openWindow(to);
      const contents: MessageContent[] = [
        { type: 'text', body: 'Your invoice INV-7KQ2MX is ready.' },
        {
          type: 'buttons',
          body: 'Invoice INV-7KQ2MX: KES 1,500',
          footer: 'InvoiceIQ',
          buttons: [
            { id: 'pay:INV-7KQ2MX', title: 'Pay with M-PESA' },
            { id: 'help:INV-7KQ2MX', title: 'Help' },
          ],
        },
        {
          type: 'list',
          body: 'What would you like to change?',
          buttonText: 'Fields',
          rows: [
            { id: 'edit:amount', title: 'Amount' },
            { id: 'edit:description', title: 'Description', description: 'What it is for' },
          ],
        },
        {
          type: 'cta',
          body: 'Pay invoice INV-7KQ2MX online',
          displayText: 'Pay invoice',
          url: 'https://pay.example.com/p/abc',
        },
        {
          type: 'template',
          name: 'invoice_new',
          language: 'sw',
          bodyParameters: ['Jane', 'Duka la Mama', 'KES 1,500', 'INV-7KQ2MX'],
          quickReplyPayloads: ['pay:INV-7KQ2MX'],
        },
        {
          type: 'document',
          link: 'https://pay.example.com/r/abc.pdf',
          filename: 'receipt-INV-7KQ2MX.pdf',
          caption: 'Your receipt',
        },
      ];
      const ids: string[] = [];
      for (const content of contents) ids.push(expectAccepted(await channel.send({ to, content })));
      expect(new Set(ids).size).toBe(ids.length);

      const outbound = (await transcript(to)).filter((e) => e.direction === 'outbound');
      expect(outbound.map((e) => e.id)).toEqual(ids);
      expect(outbound.map((e) => e.kind)).toEqual([
        'text',
        'interactive:button',
        'interactive:list',
        'interactive:cta_url',
        'template',
        'document',
      ]);
      expect(outbound[4].preview).toContain(
        'Habari Jane, Duka la Mama amekutumia ankara ya KES 1,500',
      );
      expect(outbound[4].preview).toContain('[Lipa kwa M-PESA]');
    });

    it('rejects at the simulator what the real API would, and the client refuses it locally', async () => {
      const to = newPhone();
      await openWindow(to);
      const button = (title: string, id = title) => ({ type: 'reply', reply: { id, title } });
      const interactive = (buttons: object[]) => ({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: digits(to),
        type: 'interactive',
        interactive: { type: 'button', body: { text: 'Pick' }, action: { buttons } },
      });

      const four = await rawSend(interactive(['A', 'B', 'C', 'D'].map((x) => button(x)))).expect(
        400,
      );
      expect(four.body.error).toMatchObject({
        code: 131009,
        type: 'OAuthException',
        message: '(#131009) Parameter value is not valid',
      });
      expect(four.body.error.fbtrace_id).toBeTruthy();
      const long = await rawSend(interactive([button('x'.repeat(21))])).expect(400);
      expect(long.body.error.code).toBe(131009);
      const dup = await rawSend(interactive([button('Same', '1'), button('Same', '2')])).expect(
        400,
      );
      expect(dup.body.error.code).toBe(131009);
      const ok20 = await rawSend(interactive([button('x'.repeat(20))])).expect(200);
      expect(ok20.body.messages[0].id).toMatch(/^wamid\./);

      for (const buttons of [
        ['A', 'B', 'C', 'D'].map((x) => ({ id: x, title: x })),
        [{ id: 'a', title: 'x'.repeat(21) }],
      ]) {
        const outcome = await channel.send({
          to,
          content: { type: 'buttons', body: 'Pick', buttons },
        });
        expect(outcome).toMatchObject({ status: 'permanent', code: 'invalid_content' });
      }
      // Only the one valid raw send reached the phone.
      expect((await transcript(to)).filter((e) => e.direction === 'outbound')).toHaveLength(1);
    });

    it.each([
      ['no messaging_product', { to: '254712345678', type: 'text', text: { body: 'x' } }],
      ['a bad to', { messaging_product: 'whatsapp', to: 'abc', type: 'text', text: { body: 'x' } }],
      [
        'an unknown type',
        { messaging_product: 'whatsapp', to: '254712345678', type: 'fax', fax: {} },
      ],
    ])('answers an envelope with %s with code 100', async (_label, body) => {
      const res = await rawSend(body).expect(400);
      expect(res.body.error.code).toBe(100);
    });

    it('maps a wrong template parameter count (132000) to permanent', async () => {
      const outcome = await channel.send({
        to: newPhone(),
        content: {
          type: 'template',
          name: 'invoice_new',
          language: 'en',
          bodyParameters: ['Jane', 'Duka', 'KES 1'],
        },
      });
      expect(outcome).toMatchObject({ status: 'permanent', code: '132000' });
    });

    it('maps an unknown template or language (132001) to fallback', async () => {
      for (const [name, language] of [
        ['invoice_missing', 'en'],
        ['invoice_new', 'fr'],
      ]) {
        const outcome = await channel.send({
          to: newPhone(),
          content: { type: 'template', name, language, bodyParameters: ['a', 'b', 'c', 'd'] },
        });
        expect(outcome).toMatchObject({ status: 'fallback', code: '132001' });
      }
    });

    it('delivers a template outside the window, with the registry parameter counts', async () => {
      for (const [name, tpl] of Object.entries(WHATSAPP_TEMPLATES)) {
        const outcome = await channel.send({
          to: newPhone(),
          content: {
            type: 'template',
            name,
            language: 'en',
            bodyParameters: tpl.parameters.map((p) => `value ${p}`),
            quickReplyPayloads: tpl.quickReplies.en.map((_, i) => `payload-${i}`),
          },
        });
        expectAccepted(outcome);
      }
    });

    it('maps a number not on WhatsApp (131026) to fallback', async () => {
      const to = newPhone();
      await control(`users/${digits(to)}/settings`, { notOnWhatsApp: true });
      const outcome = await channel.send({
        to,
        content: {
          type: 'template',
          name: 'payment_receipt',
          language: 'en',
          bodyParameters: ['KES 1', 'INV-1', 'QK1'],
        },
      });
      expect(outcome).toMatchObject({ status: 'fallback', code: '131026' });
    });

    it('maps free-form text to a closed window (131047) to fallback, and opens it on inbound', async () => {
      const to = newPhone();
      const outcome = await channel.send({ to, content: { type: 'text', body: 'Hello' } });
      expect(outcome).toMatchObject({ status: 'fallback', code: '131047' });
      expect(outcome).toMatchObject({ reason: expect.stringContaining('Re-engagement') });
      await openWindow(to);
      expectAccepted(await channel.send({ to, content: { type: 'text', body: 'Hello' } }));
    });

    it('accepts then fails by webhook (131047) when the number is set to fail asynchronously', async () => {
      const to = newPhone();
      await control('timing', { stepMs: 150 });
      await control(`users/${digits(to)}/settings`, { asyncWindowFailure: true });
      const id = expectAccepted(
        await channel.send({ to, content: { type: 'text', body: 'Hello' } }),
      );
      await insertOutbound(id, to);
      const row = await eventually(
        () => messageRow(id),
        (r) => r.status === 'failed',
      );
      expect(row).toMatchObject({
        status: 'failed',
        error_code: '131047',
        error_title: 'Re-engagement message',
      });
      const [entry] = await transcript(to);
      expect(entry).toMatchObject({ status: 'failed', ticks: -1, error: { code: 131047 } });
    });

    it('maps a bad token (190) to permanent with an alert', async () => {
      const outcome = await channelWith({ token: 'expired-token' }).send({
        to: newPhone(),
        content: {
          type: 'template',
          name: 'payment_receipt',
          language: 'en',
          bodyParameters: ['a', 'b', 'c'],
        },
      });
      expect(outcome).toMatchObject({ status: 'permanent', code: '190', alert: true });
    });

    it('maps a throughput limit (130429) to retryable', async () => {
      await control('throughput', { perSecond: 2 });
      const send = () =>
        channel.send({
          to: newPhone(),
          content: {
            type: 'template',
            name: 'payment_receipt',
            language: 'en',
            bodyParameters: ['a', 'b', 'c'],
          },
        });
      const outcomes = [await send(), await send(), await send()];
      expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted', 'retryable']);
      expect(outcomes[2]).toMatchObject({ code: '130429', retryAfterMs: expect.any(Number) });
    });

    it('maps an unreachable API to retryable', async () => {
      const outcome = await channelWith({ baseUrl: 'http://127.0.0.1:9' }).send({
        to: newPhone(),
        content: { type: 'text', body: 'x' },
      });
      expect(outcome).toMatchObject({ status: 'retryable', code: 'network_error' });
    });

    if (provider === 'meta') {
      it('answers an unknown phone-number id with code 100 (permanent)', async () => {
        const outcome = await channelWith({ phoneId: '999999999' }).send({
          to: newPhone(),
          content: {
            type: 'template',
            name: 'payment_receipt',
            language: 'en',
            bodyParameters: ['a', 'b', 'c'],
          },
        });
        expect(outcome).toMatchObject({ status: 'permanent', code: '100' });
      });
    }

    it('turns the simulator status webhooks into delivered and read on the messages row', async () => {
      const to = newPhone();
      await control('timing', { stepMs: 150 });
      await openWindow(to);
      const id = expectAccepted(
        await channel.send({ to, content: { type: 'text', body: 'Receipt' } }),
      );
      await insertOutbound(id, to);
      const row = await eventually(
        () => messageRow(id),
        (r) => r.status === 'read',
      );
      expect(row.status).toBe('read');
      expect(row.sent_at).not.toBeNull();
      expect(row.delivered_at).not.toBeNull();
      expect(row.read_at).not.toBeNull();
      const entry = (await transcript(to)).find((e) => e.id === id);
      expect(entry).toMatchObject({ status: 'read', ticks: 3 });
      expect(entry?.statusHistory?.map((h) => h.status)).toEqual([
        'accepted',
        'sent',
        'delivered',
        'read',
      ]);
    });

    it('stops at delivered when auto-read is off, and reads on demand', async () => {
      const to = newPhone();
      await control(`users/${digits(to)}/settings`, { autoRead: false });
      await openWindow(to);
      const id = expectAccepted(await channel.send({ to, content: { type: 'text', body: 'Hi' } }));
      await insertOutbound(id, to);
      await eventually(
        () => messageRow(id),
        (r) => r.status === 'delivered',
      );
      await new Promise((r) => setTimeout(r, 150));
      expect((await messageRow(id)).status).toBe('delivered');
      expect((await control(`users/${digits(to)}/read`)).body).toEqual({ read: 1 });
      expect(
        (
          await eventually(
            () => messageRow(id),
            (r) => r.status === 'read',
          )
        ).status,
      ).toBe('read');
    });

    it('injects a button reply that reaches the app with its title and context', async () => {
      const to = newPhone();
      await openWindow(to);
      const id = expectAccepted(
        await channel.send({
          to,
          content: {
            type: 'buttons',
            body: 'Pay?',
            buttons: [{ id: 'pay:INV-9', title: 'Pay with M-PESA' }],
          },
        }),
      );
      const res = await control(`users/${digits(to)}/inbound`, { buttonReplyId: 'pay:INV-9' });
      expect(res.body.webhookStatus).toBe(200);
      const [event] = await eventually(
        () =>
          ds.query<{ payload: any }[]>(
            `SELECT payload FROM inbound_events WHERE provider = 'whatsapp' AND external_id = $1`,
            [res.body.messageId],
          ),
        (rows) => rows.length > 0,
      );
      expect(event.payload).toMatchObject({
        kind: 'message',
        from: to,
        message: { type: 'button_reply', id: 'pay:INV-9', title: 'Pay with M-PESA' },
        contextMessageId: id,
      });
      const lines = await transcript(to);
      expect(lines.map((l) => l.direction)).toEqual(['inbound', 'outbound', 'inbound']);
      expect(lines[2].preview).toBe('[Pay with M-PESA]');
    });

    it.each([
      [
        { listReplyId: 'edit:amount', title: 'Amount' },
        { type: 'list_reply', id: 'edit:amount', title: 'Amount' },
      ],
      [
        { templateButtonPayload: 'pay:INV-3' },
        { type: 'template_button', payload: 'pay:INV-3', text: 'Pay with M-PESA' },
      ],
      [{ type: 'image' }, { type: 'unsupported', originalType: 'image' }],
    ])('injects %j as the matching webhook message', async (dto, message) => {
      const res = await control(`users/${digits(newPhone())}/inbound`, dto);
      const [event] = await eventually(
        () =>
          ds.query<{ payload: any }[]>(
            `SELECT payload FROM inbound_events WHERE provider = 'whatsapp' AND external_id = $1`,
            [res.body.messageId],
          ),
        (rows) => rows.length > 0,
      );
      expect(event.payload.message).toEqual(message);
    });

    it('refuses an inbound with zero or two actions', async () => {
      const phone = digits(newPhone());
      await request(t.url)
        .post(`/sandbox/whatsapp/control/users/${phone}/inbound`)
        .send({})
        .expect(400);
      await request(t.url)
        .post(`/sandbox/whatsapp/control/users/${phone}/inbound`)
        .send({ text: 'a', buttonReplyId: 'b' })
        .expect(400);
    });

    it('emits transcript changes for a live page', async () => {
      const seen: string[] = [];
      const state = t.app.get(WhatsAppSimulatorState);
      const listener = ({ entry }: { entry: TranscriptEntry }) =>
        seen.push(`${entry.direction}:${entry.status ?? '-'}`);
      state.events.on('transcript', listener);
      try {
        const to = newPhone();
        await openWindow(to);
        const id = expectAccepted(await channel.send({ to, content: { type: 'text', body: 'x' } }));
        await eventually(
          () => Promise.resolve(seen),
          (s) => s.includes('outbound:read'),
        );
        expect(seen).toEqual([
          'inbound:-',
          'outbound:accepted',
          'outbound:sent',
          'outbound:delivered',
          'outbound:read',
        ]);
        expect(id).toBeTruthy();
      } finally {
        state.events.off('transcript', listener);
      }
    });

    it('logs no phone numbers and no message bodies', () => {
      const text = t.logs.text;
      expect(text).toContain('WhatsApp send');
      for (const phone of usedPhones) expect(text).not.toContain(digits(phone));
      expect(text).not.toContain('Duka la Mama');
      expect(text).not.toContain(t.config.whatsapp.token);
    });
  },
);
