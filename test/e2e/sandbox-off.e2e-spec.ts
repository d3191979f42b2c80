import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { SmsChannel } from '../../src/channels/sms/africastalking.client';
import { WhatsAppChannel } from '../../src/channels/whatsapp/whatsapp.client';
import { DarajaClient } from '../../src/payments/mpesa/daraja.client';
import { createTestApp, type TestApp } from '../utils/create-app';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/** Stands in for the real providers' hosts: records what reaches it and answers 503. */
async function fakeProviderHost(): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => res.writeHead(503, { 'Content-Type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('with real credentials and SANDBOX unset', () => {
  let t: TestApp;
  let host: Awaited<ReturnType<typeof fakeProviderHost>>;

  beforeAll(async () => {
    host = await fakeProviderHost();
    t = await createTestApp(
      {
        SANDBOX: undefined,
        ADMIN_API_KEY: 'an-admin-key-that-is-long-enough',
        WABA_PROVIDER: '360dialog',
        WABA_BASE_URL: `${host.url}/waba`,
        WABA_TOKEN: 'real-waba-token',
        WABA_WEBHOOK_SECRET: 'real-webhook-secret-123',
        SMS_BASE_URL: `${host.url}/version1/messaging`,
        SMS_USERNAME: 'invoiceiq',
        SMS_API_KEY: 'real-at-key',
        SMS_WEBHOOK_SECRET: 'real-sms-secret-0123456',
        MPESA_BASE_URL: `${host.url}/daraja`,
        MPESA_CONSUMER_KEY: 'real-consumer-key',
        MPESA_CONSUMER_SECRET: 'real-consumer-secret',
        MPESA_SHORTCODE: '600123',
        MPESA_PASSKEY: 'real-passkey',
        MPESA_CALLBACK_SECRET: 'real-callback-secret-0123',
        MPESA_CALLBACK_URL:
          'https://pay.example.co.ke/payments/stk/callback/real-callback-secret-0123',
      },
      { full: true },
    );
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => host.server.close(resolve));
  });

  it('is not in sandbox mode and has no sandbox routes', async () => {
    expect(t.config.sandbox).toBe(false);
    for (const path of [
      '/sandbox',
      '/sandbox/api/cast',
      '/sandbox/daraja/control/prompts',
      '/sandbox/whatsapp/messages',
    ]) {
      await request(t.url).get(path).expect(404);
    }
    await request(t.url)
      .post('/sandbox/africastalking/control/inbound')
      .send({ from: '0712345678', text: 'x' })
      .expect(404);
  });

  it('points every provider client at the configured base URL', async () => {
    await t.app
      .get(WhatsAppChannel)
      .send({ to: '+254712345678', content: { type: 'text', body: 'hello' } });
    await t.app
      .get(SmsChannel)
      .send({ to: '+254712345678', content: { type: 'text', body: 'hello' } });
    await t.app.get(DarajaClient).stkQuery('ws_CO_000000000000000000');
    const wa = host.seen.find((s) => s.url === '/waba/messages');
    expect(wa?.headers['d360-api-key']).toBe('real-waba-token');
    const sms = host.seen.find((s) => s.url === '/version1/messaging');
    expect(sms?.headers.apikey).toBe('real-at-key');
    const oauth = host.seen.find((s) => s.url.startsWith('/daraja/oauth/v1/generate'));
    expect(oauth?.headers.authorization).toBe(
      `Basic ${Buffer.from('real-consumer-key:real-consumer-secret').toString('base64')}`,
    );
    expect(t.config.mpesaCallbackUrl).toBe(
      'https://pay.example.co.ke/payments/stk/callback/real-callback-secret-0123',
    );
  });
});
