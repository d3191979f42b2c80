import { createServer } from 'node:net';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/load-config';
import { SANDBOX_DEFAULTS } from '../../src/config/sandbox-defaults';
import { PAYMENT_PROVIDER } from '../../src/payments/payment-provider.port';
import { DarajaClient } from '../../src/payments/mpesa/daraja.client';
import {
  outcomeForResultCode,
  parseStkCallback,
} from '../../src/payments/mpesa/daraja-result-codes';
import { MpesaModule } from '../../src/payments/mpesa/mpesa.module';
import { PaymentsModule } from '../../src/payments/payments.module';
import { createTestApp, type TestApp } from '../utils/create-app';
import { TcpProxy } from '../utils/tcp-proxy';

const FAST = {
  timeoutMs: 2_000,
  retries: 1,
  retryInitialDelayMs: 10,
  retryMaxDelayMs: 20,
  breakerThreshold: 3,
  breakerHalfOpenAfterMs: 60_000,
};

let phoneSeq = 0;
/** A fresh valid Safaricom number per call, so no test trips over another's subscriber lock. */
const nextPhone = () => `0712${String(100_000 + ++phoneSeq).padStart(6, '0')}`;
const msisdn = (phone: string) => `254${phone.slice(1)}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('DarajaClient against the Daraja simulator (real HTTP)', () => {
  let t: TestApp;

  const ctl = async (path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${t.url}/sandbox/daraja/control/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return res.json();
  };
  const simRequests = async (kind: 'oauth' | 'push' | 'query'): Promise<any[]> => {
    const { requests }: { requests: any[] } = await ctl(`requests?kind=${kind}`);
    return requests;
  };
  const oauthCalls = async () => (await ctl('requests')).oauthCalls as number;
  /**
   * Callbacks as the app's real callback controller (PaymentsModule) recorded them in its
   * dedupe ledger: one row per CheckoutRequestID + ResultCode, duplicates folded.
   */
  const callbacksFor = async (checkoutRequestId: string) => {
    const rows: { payload: any; received_at: Date }[] = await t.app
      .get(DataSource)
      .query(
        `SELECT payload, received_at FROM inbound_events WHERE provider = 'mpesa' AND external_id LIKE $1 ORDER BY id`,
        [`${checkoutRequestId}:%`],
      );
    return rows.map((r) => ({
      at: new Date(r.received_at).getTime(),
      body: r.payload,
      json: JSON.stringify(r.payload),
    }));
  };
  /** Delivery attempts as the simulator saw them (status the app answered). */
  const deliveriesOf = async (checkoutRequestId: string): Promise<any[]> =>
    ((await ctl('callbacks')).callbacks as any[]).filter(
      (c) => c.checkoutRequestId === checkoutRequestId,
    );
  const push = (client: DarajaClient, phone: string, amount = 1500) =>
    client.stkPush({ phone, amount, accountReference: 'INV-7K3Q', description: 'Logo design' });
  const accepted = async (client: DarajaClient, phone: string, amount = 1500) => {
    const result = await push(client, phone, amount);
    if (result.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(result)}`);
    return result;
  };

  beforeAll(async () => {
    t = await createTestApp({}, { imports: [MpesaModule, PaymentsModule] });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await ctl('reset', {});
  });

  it('is provided by MpesaModule as DarajaClient and under PAYMENT_PROVIDER', () => {
    const client = t.app.get(DarajaClient);
    expect(client).toBeInstanceOf(DarajaClient);
    expect(t.app.get(PAYMENT_PROVIDER)).toBe(client);
  });

  describe('OAuth token', () => {
    it('is fetched once and reused across pushes', async () => {
      const client = new DarajaClient(t.config);
      await accepted(client, nextPhone());
      await accepted(client, nextPhone());
      expect(await oauthCalls()).toBe(1);
      const pushes = await simRequests('push');
      expect(pushes).toHaveLength(2);
      expect(pushes.every((p) => p.authScheme === 'Bearer')).toBe(true);
    });

    it('is fetched once for concurrent pushes', async () => {
      const client = new DarajaClient(t.config);
      const results = await Promise.all(Array.from({ length: 6 }, () => push(client, nextPhone())));
      expect(results.map((r) => r.status)).toEqual(Array(6).fill('accepted'));
      expect(await oauthCalls()).toBe(1);
    });

    it('is refreshed once after 404.001.03 (expired) and the push retried', async () => {
      const client = new DarajaClient(t.config);
      await accepted(client, nextPhone());
      expect((await ctl('tokens/expire', {})).expired).toBeGreaterThan(0);

      await accepted(client, nextPhone());
      expect(await oauthCalls()).toBe(2);
      const statuses = (await simRequests('push')).map((p: { status: number }) => p.status);
      expect(statuses).toEqual([200, 404, 200]);
    });

    it('survives a newer token invalidating the one it holds', async () => {
      await ctl('settings', { invalidatePreviousToken: true });
      const a = new DarajaClient(t.config);
      const b = new DarajaClient(t.config);
      await accepted(a, nextPhone());
      await accepted(b, nextPhone()); // b's token kills a's
      await accepted(a, nextPhone());
      expect(await oauthCalls()).toBe(3);
      expect((await simRequests('push')).map((p: { status: number }) => p.status)).toEqual([
        200, 200, 404, 200,
      ]);
    });

    it('retries an invalid token only once', async () => {
      const client = new DarajaClient(t.config);
      await ctl('faults', {
        target: 'push',
        kind: 'error',
        httpStatus: 404,
        errorCode: '404.001.03',
        errorMessage: 'Invalid Access Token',
        count: 5,
      });
      const result = await push(client, nextPhone());
      expect(result).toMatchObject({ status: 'rejected', code: '404.001.03', retryable: true });
      expect(await simRequests('push')).toHaveLength(2);
      expect(await oauthCalls()).toBe(2);
    });

    it('reports wrong consumer keys as a non-retryable rejection', async () => {
      const config = loadConfig({
        SANDBOX: 'true',
        MPESA_CONSUMER_KEY: 'wrong-key',
        MPESA_CONSUMER_SECRET: 'wrong-secret',
      });
      config.setListenUrl(t.url);
      const result = await push(new DarajaClient(config), nextPhone());
      expect(result).toMatchObject({ status: 'rejected', code: '400.008.01', retryable: false });
      expect(await simRequests('push')).toHaveLength(0);
    });
  });

  describe('STK push request', () => {
    it('sends what Daraja requires: Password, Nairobi Timestamp, field limits, 2547… numbers', async () => {
      const client = t.app.get(DarajaClient);
      const before = Date.now();
      const result = await client.stkPush({
        phone: '0712 345 678',
        amount: 1500,
        accountReference: 'INV-7K3Q9XZ2AB',
        description: 'Logo design & branding work',
      });
      expect(result).toMatchObject({
        status: 'accepted',
        checkoutRequestId: expect.stringMatching(/^ws_CO_\d+$/),
        merchantRequestId: expect.any(String),
        customerMessage: 'Success. Request accepted for processing',
      });

      const [recorded] = await simRequests('push');
      expect(recorded.status).toBe(200);
      expect(recorded.contentType).toMatch(/^application\/json/);
      const body = recorded.body;
      const { shortcode, passkey, partyB, transactionType } = t.config.mpesa;
      expect(body.BusinessShortCode).toBe(shortcode);
      expect(body.Timestamp).toMatch(/^\d{14}$/);
      expect(Buffer.from(body.Password, 'base64').toString()).toBe(
        `${shortcode}${passkey}${body.Timestamp}`,
      );
      // Nairobi is UTC+3 all year: read the Timestamp as UTC and take 3 hours off.
      const ts: string = body.Timestamp;
      const asUtc = Date.UTC(
        Number(ts.slice(0, 4)),
        Number(ts.slice(4, 6)) - 1,
        Number(ts.slice(6, 8)),
        Number(ts.slice(8, 10)),
        Number(ts.slice(10, 12)),
        Number(ts.slice(12, 14)),
      );
      const instant = asUtc - 3 * 3600_000;
      expect(instant).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(instant).toBeLessThanOrEqual(Date.now());

      expect(body.AccountReference).toBe('INV7K3Q9XZ2A');
      expect(body.AccountReference.length).toBeLessThanOrEqual(12);
      expect(body.AccountReference).toMatch(/^[A-Za-z0-9]+$/);
      expect(body.TransactionDesc.length).toBeLessThanOrEqual(13);
      expect(body.TransactionDesc).toBe('Logo design');
      expect(body.PhoneNumber).toBe('254712345678');
      expect(body.PartyA).toBe('254712345678');
      expect(body.PartyB).toBe(partyB);
      expect(body.TransactionType).toBe(transactionType);
      expect(body.Amount).toBe(1500);
      expect(body.CallBackURL).toBe(t.config.mpesaCallbackUrl);
    });

    it('accepts 01xx numbers (2541…)', async () => {
      const result = await push(t.app.get(DarajaClient), '0110 123 456');
      expect(result.status).toBe('accepted');
      const [recorded] = await simRequests('push');
      expect(recorded.body.PhoneNumber).toBe('254110123456');
    });

    it('refuses bad amounts and phones itself, before any HTTP call', async () => {
      const client = new DarajaClient(t.config);
      for (const amount of [0, -5, 1.5, 250_001, Number.NaN]) {
        expect(await push(client, nextPhone(), amount)).toMatchObject({
          status: 'rejected',
          code: 'invalid_amount',
          retryable: false,
        });
      }
      expect(await push(client, '+447700900123')).toMatchObject({
        status: 'rejected',
        code: 'invalid_phone',
      });
      expect(await simRequests('push')).toHaveLength(0);
      expect(await oauthCalls()).toBe(0);
    });

    it('maps Daraja refusing the amount (400.002.02) to a non-retryable rejection', async () => {
      // The simulator's own amount checks are proven in daraja-simulator.e2e-spec.ts; here the
      // envelope travels over HTTP to the client.
      await ctl('faults', {
        target: 'push',
        kind: 'error',
        httpStatus: 400,
        errorCode: '400.002.02',
        errorMessage: 'Bad Request - Invalid Amount',
      });
      expect(await push(t.app.get(DarajaClient), nextPhone())).toEqual({
        status: 'rejected',
        code: '400.002.02',
        message: 'Bad Request - Invalid Amount',
        retryable: false,
      });
    });

    it('the simulator itself refuses invalid amounts', async () => {
      const token = (await (
        await fetch(`${t.url}/sandbox/daraja/oauth/v1/generate?grant_type=client_credentials`, {
          headers: {
            Authorization: `Basic ${Buffer.from(`${SANDBOX_DEFAULTS.mpesaConsumerKey}:${SANDBOX_DEFAULTS.mpesaConsumerSecret}`).toString('base64')}`,
          },
        })
      ).json()) as { access_token: string };
      const ts = '20250101120000';
      for (const Amount of [0, 1.5, 250_001, -1]) {
        const res = await fetch(`${t.url}/sandbox/daraja/mpesa/stkpush/v1/processrequest`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${token.access_token}`,
          },
          body: JSON.stringify({
            BusinessShortCode: '174379',
            Password: Buffer.from(`174379${SANDBOX_DEFAULTS.mpesaPasskey}${ts}`).toString('base64'),
            Timestamp: ts,
            TransactionType: 'CustomerPayBillOnline',
            Amount,
            PartyA: '254708374149',
            PartyB: '174379',
            PhoneNumber: '254708374149',
            CallBackURL: 'https://example.com/cb',
            AccountReference: 'INV7K3Q',
            TransactionDesc: 'Logo',
          }),
        });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({
          errorCode: '400.002.02',
          errorMessage: 'Bad Request - Invalid Amount',
        });
      }
    });

    it('rejects a second push to a phone with a prompt pending (500.001.1001), retryable', async () => {
      const client = t.app.get(DarajaClient);
      const phone = nextPhone();
      await ctl('next-outcome', { phone, outcome: 'success', mode: 'interactive' });
      const first = await accepted(client, phone);
      const second = await push(client, phone);
      expect(second).toMatchObject({
        status: 'rejected',
        code: '500.001.1001',
        retryable: true,
        message: expect.stringContaining('Unable to lock subscriber'),
      });
      // Another phone is not blocked, and the lock goes once the first prompt ends.
      await accepted(client, nextPhone());
      await ctl(`prompts/${first.checkoutRequestId}/respond`, { action: 'cancel' });
      await accepted(client, phone);
    });
  });

  describe('STK query and callbacks', () => {
    it('is pending until the prompt ends, then final 0; the callback reaches mpesaCallbackUrl', async () => {
      const client = t.app.get(DarajaClient);
      const phone = nextPhone();
      await ctl('next-outcome', { phone, outcome: 'success', delayMs: 400 });
      const pushed = await accepted(client, phone, 2500);

      expect(await client.stkQuery(pushed.checkoutRequestId)).toEqual({
        status: 'pending',
        reason: 'The transaction is being processed',
      });
      await ctl('settings', { queryPendingStyle: 'result4999' });
      expect(await client.stkQuery(pushed.checkoutRequestId)).toMatchObject({ status: 'pending' });

      const [callback] = await waitFor(async () => {
        const found = await callbacksFor(pushed.checkoutRequestId);
        return found.length > 0 && found;
      });
      // Recorded at all means the secret in the path was right (a wrong one is a 404).
      expect(t.config.mpesaCallbackUrl).toBe(
        `${t.url}/payments/stk/callback/${t.config.mpesa.callbackSecret}`,
      );
      expect(await deliveriesOf(pushed.checkoutRequestId)).toEqual([
        expect.objectContaining({ ok: true, status: 200 }),
      ]);
      expect(parseStkCallback(callback.body)).toMatchObject({
        checkoutRequestId: pushed.checkoutRequestId,
        merchantRequestId: pushed.merchantRequestId,
        resultCode: 0,
        amount: 2500,
        mpesaReceipt: expect.stringMatching(/^[A-Z0-9]{10}$/),
        transactionDate: expect.stringMatching(/^\d{14}$/),
        phone: msisdn(phone),
      });

      expect(await client.stkQuery(pushed.checkoutRequestId)).toMatchObject({
        status: 'final',
        resultCode: 0,
        resultDesc: 'The service request is processed successfully.',
      });
      // Password and Timestamp go with the query too.
      const [query] = await simRequests('query');
      expect(Buffer.from(query.body.Password, 'base64').toString()).toBe(
        `${t.config.mpesa.shortcode}${t.config.mpesa.passkey}${query.body.Timestamp}`,
      );
    });

    it('treats "Invalid CheckoutRequestID" (queried too early) as pending', async () => {
      expect(await t.app.get(DarajaClient).stkQuery('ws_CO_000000000000000')).toMatchObject({
        status: 'pending',
        reason: 'Bad Request - Invalid CheckoutRequestID',
      });
    });

    it.each([
      ['cancelled', 1032, 'cancelled'],
      ['wrong_pin', 2001, 'wrong_pin'],
      ['insufficient_funds', 1, 'insufficient_funds'],
      ['unreachable', 1037, 'timeout'],
    ])(
      'outcome %s gives ResultCode %i in the callback and the query',
      async (outcome, code, mapped) => {
        const client = t.app.get(DarajaClient);
        const phone = nextPhone();
        await ctl('next-outcome', { phone, outcome, delayMs: 50 });
        const pushed = await accepted(client, phone);
        const [callback] = await waitFor(async () => {
          const found = await callbacksFor(pushed.checkoutRequestId);
          return found.length > 0 && found;
        });
        const parsed = parseStkCallback(callback.body);
        expect(parsed?.resultCode).toBe(code);
        expect(parsed?.mpesaReceipt).toBeUndefined();
        expect(callback.body.Body.stkCallback.CallbackMetadata).toBeUndefined();
        const query = await client.stkQuery(pushed.checkoutRequestId);
        expect(query).toMatchObject({ status: 'final', resultCode: code });
        expect(outcomeForResultCode(code)).toBe(mapped);
      },
    );

    it('duplicate_callbacks posts the same callback three times', async () => {
      const phone = nextPhone();
      await ctl('next-outcome', { phone, outcome: 'duplicate_callbacks', delayMs: 0 });
      const pushed = await accepted(t.app.get(DarajaClient), phone);
      const copies = await waitFor(async () => {
        const found = await deliveriesOf(pushed.checkoutRequestId);
        return found.length >= 3 && found;
      });
      await sleep(100);
      expect(copies.map((c) => [c.copy, c.ok, c.status])).toEqual([
        [1, true, 200],
        [2, true, 200],
        [3, true, 200],
      ]);
      // The app's dedupe ledger keeps one.
      expect(await callbacksFor(pushed.checkoutRequestId)).toHaveLength(1);
    });

    it('callback_before_response delivers the callback before the push returns', async () => {
      const phone = nextPhone();
      await ctl('next-outcome', { phone, outcome: 'callback_before_response' });
      const pushed = await accepted(t.app.get(DarajaClient), phone);
      const returnedAt = Date.now();
      const found = await callbacksFor(pushed.checkoutRequestId);
      expect(found).toHaveLength(1);
      expect(found[0].at).toBeLessThanOrEqual(returnedAt);
      expect(parseStkCallback(found[0].body)?.resultCode).toBe(0);
    });

    it('no_callback: the query says paid, no callback comes', async () => {
      const client = t.app.get(DarajaClient);
      const phone = nextPhone();
      await ctl('next-outcome', { phone, outcome: 'no_callback', delayMs: 0 });
      const pushed = await accepted(client, phone);
      let query = await client.stkQuery(pushed.checkoutRequestId);
      for (let i = 0; i < 50 && query.status === 'pending'; i++) {
        await sleep(20);
        query = await client.stkQuery(pushed.checkoutRequestId);
      }
      expect(query).toMatchObject({ status: 'final', resultCode: 0 });
      await sleep(200);
      expect(await callbacksFor(pushed.checkoutRequestId)).toHaveLength(0);
      expect(await deliveriesOf(pushed.checkoutRequestId)).toHaveLength(0);
    });

    it('masked_phone and partial_amount callbacks parse without phone / with the smaller amount', async () => {
      const client = t.app.get(DarajaClient);
      const p1 = nextPhone();
      const p2 = nextPhone();
      await ctl('next-outcome', { phone: p1, outcome: 'masked_phone', delayMs: 0 });
      await ctl('next-outcome', { phone: p2, outcome: 'partial_amount', delayMs: 0, amount: 700 });
      const masked = await accepted(client, p1, 1000);
      const partial = await accepted(client, p2, 1000);
      const [m] = await waitFor(async () => {
        const f = await callbacksFor(masked.checkoutRequestId);
        return f.length > 0 && f;
      });
      const [p] = await waitFor(async () => {
        const f = await callbacksFor(partial.checkoutRequestId);
        return f.length > 0 && f;
      });
      expect(m.json).toContain('"Value":"2547****');
      expect(parseStkCallback(m.body)).toMatchObject({ resultCode: 0, amount: 1000 });
      expect(parseStkCallback(m.body)?.phone).toBeUndefined();
      expect(parseStkCallback(p.body)).toMatchObject({ resultCode: 0, amount: 700 });
    });
  });

  describe('failures', () => {
    it('5xx that may have started a prompt is ambiguous and is not re-pushed', async () => {
      const client = new DarajaClient(t.config, FAST);
      for (const errorCode of ['500.003.1001', '500.003.99']) {
        await ctl('faults', {
          target: 'push',
          kind: 'error',
          httpStatus: 500,
          errorCode,
          errorMessage: 'Internal Server Error',
          afterProcessing: true,
        });
        const result = await push(client, nextPhone());
        expect(result).toMatchObject({
          status: 'ambiguous',
          reason: expect.stringContaining(errorCode),
        });
      }
      expect(await simRequests('push')).toHaveLength(2);
    });

    it.each([
      ['spike arrest', 500, '500.003.02', 'Spike Arrest Violation'],
      ['quota', 500, '500.003.03', 'Quota Violation'],
      ['HTTP 429', 429, '500.003.02', 'Spike arrest violation'],
    ])(
      '%s on a push is a definite, retryable refusal, never ambiguous, and not retried at once',
      async (_name, httpStatus, errorCode, errorMessage) => {
        const client = new DarajaClient(t.config, FAST);
        await ctl('faults', { target: 'push', kind: 'error', httpStatus, errorCode, errorMessage });
        expect(await push(client, nextPhone())).toEqual({
          status: 'rejected',
          code: errorCode,
          message: errorMessage,
          retryable: true,
        });
        // Refused at the gateway: no prompt started, and one request only (the caller backs off).
        expect((await ctl('pushes')).pushes).toHaveLength(0);
        expect(await simRequests('push')).toHaveLength(1);
        expect(client.circuitStates.push).toBe('closed');
      },
    );

    it('a dropped connection or a timeout after sending is ambiguous, and not retried', async () => {
      const client = new DarajaClient(t.config, { ...FAST, timeoutMs: 300 });
      await ctl('faults', { target: 'push', kind: 'drop', afterProcessing: true });
      expect(await push(client, nextPhone())).toMatchObject({ status: 'ambiguous' });

      await ctl('faults', { target: 'push', kind: 'delay', delayMs: 800, afterProcessing: true });
      expect(await push(client, nextPhone())).toEqual({
        status: 'ambiguous',
        reason: 'network: timeout',
      });
      // Both prompts really went out (the simulator logs a request once it has answered it), and
      // the client did not send either one twice.
      expect((await ctl('pushes')).pushes).toHaveLength(2);
      for (let i = 0; i < 100 && (await simRequests('push')).length < 2; i++) await sleep(20);
      await sleep(100);
      expect(await simRequests('push')).toHaveLength(2);
    });

    it('a push outage opens the push circuit only: queries and OAuth keep flowing', async () => {
      const client = new DarajaClient(t.config, FAST);
      await ctl('faults', { target: 'push', kind: 'error', count: 10 });
      for (let i = 0; i < FAST.breakerThreshold; i++) {
        expect((await push(client, nextPhone())).status).toBe('ambiguous');
      }
      expect(client.circuitStates).toEqual({ token: 'closed', push: 'open', query: 'closed' });
      expect(await push(client, nextPhone())).toMatchObject({
        status: 'rejected',
        code: 'circuit_open',
        retryable: true,
        message: expect.stringContaining('STK push'),
      });
      expect(await simRequests('push')).toHaveLength(FAST.breakerThreshold);

      // Status queries still reach Daraja (this one is unknown to it: "ask again later")…
      expect(await client.stkQuery('ws_CO_000000000000001')).toMatchObject({ status: 'pending' });
      // …and so does OAuth when the token has to be renewed.
      await ctl('tokens/expire', {});
      expect(await client.stkQuery('ws_CO_000000000000001')).toMatchObject({ status: 'pending' });
      expect(await oauthCalls()).toBe(2);
      expect(await simRequests('query')).toHaveLength(3); // 400, then 404 (expired token) and 400
      expect(client.circuitStates).toEqual({ token: 'closed', push: 'open', query: 'closed' });
    });

    it('a query outage opens the query circuit only: pushes keep flowing', async () => {
      const client = new DarajaClient(t.config, FAST);
      const pushed = await accepted(client, nextPhone());
      await ctl('faults', { target: 'query', kind: 'error', count: 20 });
      for (let i = 0; i < 5 && client.circuitStates.query !== 'open'; i++) {
        expect(await client.stkQuery(pushed.checkoutRequestId)).toMatchObject({
          status: 'error',
        });
      }
      expect(client.circuitStates).toEqual({ token: 'closed', push: 'closed', query: 'open' });
      const queriesSent = (await simRequests('query')).length;
      expect(await client.stkQuery(pushed.checkoutRequestId)).toMatchObject({
        status: 'error',
        code: 'circuit_open',
        message: expect.stringContaining('STK query'),
      });
      expect(await simRequests('query')).toHaveLength(queriesSent);
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toContain(
        'invoiceiq_provider_circuit_state{provider="daraja",operation="query"} 2',
      );
      expect(metrics).toContain(
        'invoiceiq_provider_circuit_state{provider="daraja",operation="push"} 0',
      );

      // New prompts go out as if nothing happened.
      await accepted(client, nextPhone());
      await accepted(client, nextPhone());
      expect(client.circuitStates.push).toBe('closed');
    });

    it('an OAuth outage opens the token circuit only; pushes flow again once OAuth is back', async () => {
      const client = new DarajaClient(t.config, { ...FAST, breakerHalfOpenAfterMs: 300 });
      await ctl('faults', { target: 'oauth', kind: 'error', count: 20 });
      for (let i = 0; i < 5 && client.circuitStates.token !== 'open'; i++) {
        expect(await push(client, nextPhone())).toMatchObject({
          status: 'rejected',
          retryable: true,
        });
      }
      expect(client.circuitStates).toEqual({ token: 'open', push: 'closed', query: 'closed' });
      expect(await push(client, nextPhone())).toMatchObject({
        status: 'rejected',
        code: 'circuit_open',
        message: expect.stringContaining('OAuth token'),
      });
      expect(await client.stkQuery('ws_CO_1')).toMatchObject({
        status: 'error',
        code: 'circuit_open',
      });
      expect(await simRequests('push')).toHaveLength(0);

      // OAuth recovers: after the half-open wait one trial token request closes the circuit, and
      // the push circuit, never opened, lets the prompt straight through.
      await ctl('reset', {});
      await sleep(350);
      await accepted(client, nextPhone());
      expect(client.circuitStates).toEqual({ token: 'closed', push: 'closed', query: 'closed' });
    });

    it('throttling slows down but never opens a circuit, and heavy polling does not block pushes', async () => {
      const client = new DarajaClient(t.config, {
        ...FAST,
        throttleCooldownMs: 200,
        throttleMaxCooldownMs: 400,
      });
      // Pushes: well over the breaker threshold of throttled refusals, then a normal push.
      const throttles = FAST.breakerThreshold * 2;
      await ctl('faults', {
        target: 'push',
        kind: 'error',
        errorCode: '500.003.02',
        errorMessage: 'Spike Arrest Violation',
        count: throttles,
      });
      for (let i = 0; i < throttles; i++) {
        expect(await push(client, nextPhone())).toMatchObject({
          status: 'rejected',
          code: '500.003.02',
          retryable: true,
        });
      }
      expect(client.circuitStates.push).toBe('closed');
      await accepted(client, nextPhone());

      // Queries: Daraja allows one a minute here; heavy polling is throttled.
      const phone = nextPhone();
      await ctl('next-outcome', { phone, outcome: 'success', mode: 'interactive' });
      const pushed = await accepted(client, phone);
      await ctl('settings', { queryRateLimitPerMinute: 1 });
      expect(await client.stkQuery(pushed.checkoutRequestId)).toMatchObject({
        status: 'pending',
      });
      expect(await client.stkQuery(pushed.checkoutRequestId)).toMatchObject({
        status: 'error',
        code: '500.003.02',
      });
      // The client now holds queries back itself instead of feeding the rate limit…
      const sent = (await simRequests('query')).length;
      for (let i = 0; i < 20; i++) {
        expect(await client.stkQuery(pushed.checkoutRequestId)).toMatchObject({
          status: 'error',
          code: 'throttled',
        });
      }
      expect(await simRequests('query')).toHaveLength(sent);
      // …while pushes go straight through.
      await accepted(client, nextPhone());
      await accepted(client, nextPhone());
      // After the pause queries are tried again (and throttled again: a longer pause follows).
      await sleep(250);
      expect(await client.stkQuery(pushed.checkoutRequestId)).toMatchObject({
        status: 'error',
        code: '500.003.02',
      });
      expect(await simRequests('query')).toHaveLength(sent + 1);
      expect(client.circuitStates).toEqual({ token: 'closed', push: 'closed', query: 'closed' });
      // Once Daraja lets queries through again, they answer normally.
      await ctl('settings', { queryRateLimitPerMinute: 0 });
      await sleep(450);
      expect(await client.stkQuery(pushed.checkoutRequestId)).toMatchObject({
        status: 'pending',
      });
    });

    it('a connection refused before sending is retryable, never ambiguous', async () => {
      // Reach the simulator through a proxy we can cut: the token is fetched, then Daraja vanishes.
      const address = new URL(t.url);
      const proxy = await new TcpProxy(address.hostname, Number(address.port)).start();
      const config = realLookingConfig(
        `http://127.0.0.1:${proxy.port}/sandbox/daraja`,
        t.config.mpesaCallbackUrl,
      );
      const client = new DarajaClient(config, FAST);
      expect((await push(client, nextPhone())).status).toBe('accepted');
      await proxy.cut();
      // Let the client see its idle keep-alive socket close: a request written onto a socket that
      // dies under it may have been sent, and is rightly ambiguous.
      await sleep(100);
      expect(await push(client, nextPhone())).toMatchObject({
        status: 'rejected',
        code: 'network_unreachable',
        retryable: true,
      });
      expect(await simRequests('push')).toHaveLength(1);
    });

    it('with Daraja unreachable: rejected retryable, then the circuit opens', async () => {
      const port = await closedPort();
      const config = realLookingConfig(
        `http://127.0.0.1:${port}`,
        `https://pay.example.com/payments/stk/callback/${'s'.repeat(24)}`,
      );
      const client = new DarajaClient(config, FAST);
      const first = await push(client, '0712345678');
      expect(first).toMatchObject({ status: 'rejected', retryable: true });
      expect(first.status === 'rejected' && first.code).toBe('network');
      let last = first;
      for (let i = 0; i < 5 && client.circuitStates.token !== 'open'; i++) {
        last = await push(client, '0712345678');
        expect(last.status).toBe('rejected');
      }
      // Nothing gets past OAuth, so only the token circuit saw the outage.
      expect(client.circuitStates).toEqual({ token: 'open', push: 'closed', query: 'closed' });
      expect(await push(client, '0712345678')).toMatchObject({
        status: 'rejected',
        code: 'circuit_open',
        retryable: true,
      });
      expect(await client.stkQuery('ws_CO_1')).toMatchObject({
        status: 'error',
        code: 'circuit_open',
      });
    });
  });
});

/** A production-mode config (SANDBOX=false) pointed at a chosen Daraja base URL. */
function realLookingConfig(mpesaBaseUrl: string, callbackUrl: string) {
  const secret = callbackUrl.split('/').pop()!;
  return loadConfig({
    NODE_ENV: 'test',
    SANDBOX: 'false',
    DATABASE_URL: process.env.DATABASE_URL,
    ADMIN_API_KEY: 'a'.repeat(32),
    WABA_TOKEN: 'waba-token',
    WABA_WEBHOOK_SECRET: 'w'.repeat(24),
    SMS_USERNAME: 'sandbox',
    SMS_API_KEY: 'sms-key',
    SMS_WEBHOOK_SECRET: 'x'.repeat(24),
    MPESA_BASE_URL: mpesaBaseUrl,
    MPESA_CONSUMER_KEY: SANDBOX_DEFAULTS.mpesaConsumerKey,
    MPESA_CONSUMER_SECRET: SANDBOX_DEFAULTS.mpesaConsumerSecret,
    MPESA_SHORTCODE: SANDBOX_DEFAULTS.mpesaShortcode,
    MPESA_PASSKEY: SANDBOX_DEFAULTS.mpesaPasskey,
    MPESA_CALLBACK_URL: callbackUrl,
    MPESA_CALLBACK_SECRET: secret,
  });
}
