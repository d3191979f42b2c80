import { Controller, HttpCode, Module, Param, Post, Req } from '@nestjs/common';
import { SANDBOX_DEFAULTS } from '../../src/config/sandbox-defaults';
import { createTestApp, type TestApp } from '../utils/create-app';

/**
 * Records what the simulator POSTs to CallBackURL, raw bytes included. These tests build their
 * own push bodies, so CallBackURL points here, away from the app's real callback route
 * (/payments/stk/callback/:secret, owned by PaymentsModule).
 */
const received: { secret: string; raw: string; body: any }[] = [];
const RECORDER_PATH = 'test/daraja-callback-recorder';

@Controller(RECORDER_PATH)
class CallbackRecorderController {
  @Post(':secret')
  @HttpCode(200)
  record(@Param('secret') secret: string, @Req() req: any) {
    received.push({ secret, raw: req.rawBody?.toString('utf8') ?? '', body: req.body });
    return { ResultCode: 0, ResultDesc: 'Accepted' };
  }
}

@Module({ controllers: [CallbackRecorderController] })
class CallbackRecorderModule {}

const SHORTCODE = SANDBOX_DEFAULTS.mpesaShortcode;
const PASSKEY = SANDBOX_DEFAULTS.mpesaPasskey;
const BASIC = Buffer.from(
  `${SANDBOX_DEFAULTS.mpesaConsumerKey}:${SANDBOX_DEFAULTS.mpesaConsumerSecret}`,
).toString('base64');
const TS = '20250115093000';
const PASSWORD = Buffer.from(`${SHORTCODE}${PASSKEY}${TS}`).toString('base64');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Daraja simulator (wire protocol of PROTOCOLS.md §1)', () => {
  let t: TestApp;
  let token: string;
  let phoneSeq = 0;
  const nextMsisdn = () => `2547${String(10_000_000 + ++phoneSeq).slice(-8)}`;

  const base = () => `${t.url}/sandbox/daraja`;
  const ctl = async (path: string, body?: unknown, expected = 200): Promise<any> => {
    const res = await fetch(`${base()}/control/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBe(expected);
    return res.json();
  };
  const oauth = (query = '?grant_type=client_credentials', authorization = `Basic ${BASIC}`) =>
    fetch(`${base()}/oauth/v1/generate${query}`, { headers: { Authorization: authorization } });
  const freshToken = async (): Promise<string> => {
    const body = (await (await oauth()).json()) as { access_token: string };
    return body.access_token;
  };
  const pushBody = (overrides: Record<string, unknown> = {}) => ({
    BusinessShortCode: SHORTCODE,
    Password: PASSWORD,
    Timestamp: TS,
    TransactionType: 'CustomerPayBillOnline',
    Amount: 1500,
    PartyA: '254708374149',
    PartyB: SHORTCODE,
    PhoneNumber: '254708374149',
    CallBackURL: `${t.url}/${RECORDER_PATH}/${t.config.mpesa.callbackSecret}`,
    AccountReference: 'INV7K3Q',
    TransactionDesc: 'Logo design',
    ...overrides,
  });
  const post = async (
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base()}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const stkPush = (overrides: Record<string, unknown> = {}, headers?: Record<string, string>) =>
    post('/mpesa/stkpush/v1/processrequest', pushBody(overrides), headers);
  const stkQuery = (checkoutRequestId: string) =>
    post('/mpesa/stkpushquery/v1/query', {
      BusinessShortCode: SHORTCODE,
      Password: PASSWORD,
      Timestamp: TS,
      CheckoutRequestID: checkoutRequestId,
    });
  const callbackFor = async (checkoutRequestId: string, count = 1) => {
    for (let i = 0; i < 250; i++) {
      const found = received.filter(
        (r) => r.body?.Body?.stkCallback?.CheckoutRequestID === checkoutRequestId,
      );
      if (found.length >= count) return found;
      await sleep(20);
    }
    throw new Error(`no callback for ${checkoutRequestId}`);
  };
  const pushWith = async (outcome: Record<string, unknown>, overrides = {}) => {
    const phone = nextMsisdn();
    await ctl('next-outcome', { phone, delayMs: 0, ...outcome });
    const res = await stkPush({ PhoneNumber: phone, PartyA: phone, ...overrides });
    expect(res.status).toBe(200);
    return { phone, id: res.body.CheckoutRequestID as string };
  };

  beforeAll(async () => {
    t = await createTestApp({}, { imports: [CallbackRecorderModule] });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await ctl('reset', { tokens: true });
    received.length = 0;
    token = await freshToken();
  });

  describe('OAuth', () => {
    it('issues a token with expires_in "3599" as a string', async () => {
      const res = await oauth();
      expect(res.status).toBe(200);
      const body: any = await res.json();
      expect(body).toEqual({ access_token: expect.any(String), expires_in: '3599' });
      expect(body.access_token.length).toBeGreaterThanOrEqual(20);
    });

    it('answers a wrong grant with 400.008.02 and a wrong auth type or key with 400.008.01', async () => {
      const wrongGrant = await oauth('?grant_type=password');
      expect(wrongGrant.status).toBe(400);
      expect(await wrongGrant.json()).toMatchObject({
        requestId: expect.any(String),
        errorCode: '400.008.02',
      });
      for (const auth of [
        `Bearer ${BASIC}`,
        `Basic ${Buffer.from('a:b').toString('base64')}`,
        '',
      ]) {
        const res = await oauth(undefined, auth);
        expect(res.status).toBe(400);
        expect(((await res.json()) as any).errorCode).toBe('400.008.01');
      }
    });

    it('refuses expired, unknown and (when configured) superseded tokens with 404.001.03', async () => {
      expect((await stkPush({}, { Authorization: 'Bearer nope' })).body).toMatchObject({
        errorCode: '404.001.03',
        errorMessage: 'Invalid Access Token',
      });

      await ctl('settings', { tokenTtlSeconds: 1 });
      token = await freshToken();
      await sleep(1_100);
      const expired = await stkPush();
      expect(expired.status).toBe(404);
      expect(expired.body.errorCode).toBe('404.001.03');

      await ctl('settings', { tokenTtlSeconds: 3599, invalidatePreviousToken: true });
      const first = await freshToken();
      const second = await freshToken();
      token = first;
      expect((await stkPush({ PhoneNumber: nextMsisdn() })).status).toBe(404);
      token = second;
      expect((await stkPush({ PhoneNumber: nextMsisdn() })).status).toBe(200);
    });
  });

  describe('STK push', () => {
    it('accepts a valid push with the documented body', async () => {
      const res = await stkPush();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        MerchantRequestID: expect.stringMatching(
          /^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]+\d{4}$/,
        ),
        CheckoutRequestID: expect.stringMatching(/^ws_CO_\d{26}$/),
        ResponseCode: '0',
        ResponseDescription: 'Success. Request accepted for processing',
        CustomerMessage: 'Success. Request accepted for processing',
      });
    });

    it.each([
      ['BusinessShortCode', { BusinessShortCode: '1234' }],
      ['BusinessShortCode', { BusinessShortCode: '12345678' }],
      ['Timestamp', { Timestamp: '2025-01-15 09:30' }],
      ['Timestamp', { Timestamp: '20251315093000' }],
      ['TransactionType', { TransactionType: 'PayBill' }],
      ['Amount', { Amount: 0 }],
      ['Amount', { Amount: 10.5 }],
      ['Amount', { Amount: 250_001 }],
      ['Amount', { Amount: '12abc' }],
      ['PartyA', { PartyA: '0708374149' }],
      ['PartyB', { PartyB: 'abc' }],
      ['PhoneNumber', { PhoneNumber: '+254708374149' }],
      ['PhoneNumber', { PhoneNumber: '254208374149' }],
      ['CallBackURL', { CallBackURL: 'https://example.com/call back' }],
      ['CallBackURL', { CallBackURL: 'not a url' }],
      ['AccountReference', { AccountReference: 'INV-7K3Q-ABCDE' }],
      ['AccountReference', { AccountReference: '' }],
      ['TransactionDesc', { TransactionDesc: 'Logo design xyz' }],
    ])('refuses a bad %s with 400.002.02', async (field, overrides) => {
      const res = await stkPush(overrides);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        requestId: expect.any(String),
        errorCode: '400.002.02',
        errorMessage: `Bad Request - Invalid ${field}`,
      });
    });

    it('accepts Amount as a digit string, 250000, and 2541… numbers', async () => {
      expect((await stkPush({ Amount: '1' })).status).toBe(200);
      expect(
        (await stkPush({ Amount: 250_000, PhoneNumber: '254110123456', PartyA: '254110123456' }))
          .status,
      ).toBe(200);
    });

    it('answers a non-JSON body with "Invalid BusinessShortCode"', async () => {
      const res = await post(
        '/mpesa/stkpush/v1/processrequest',
        new URLSearchParams(
          Object.entries(pushBody()).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString(),
        { 'Content-Type': 'application/x-www-form-urlencoded' },
      );
      expect(res.status).toBe(400);
      expect(res.body.errorMessage).toBe('Bad Request - Invalid BusinessShortCode');
    });

    it('checks the Password against shortcode + passkey + the same Timestamp', async () => {
      const otherTs = Buffer.from(`${SHORTCODE}${PASSKEY}20250115093001`).toString('base64');
      const wrongKey = Buffer.from(`${SHORTCODE}nope${TS}`).toString('base64');
      for (const Password of [otherTs, wrongKey]) {
        const res = await stkPush({ Password });
        expect(res.status).toBe(500);
        expect(res.body).toMatchObject({
          errorCode: '500.001.1001',
          errorMessage: 'Wrong credentials',
        });
      }
      const unknown = await stkPush({ BusinessShortCode: '600999' });
      expect(unknown.body).toMatchObject({
        errorCode: '500.001.1001',
        errorMessage: 'Merchant does not exist',
      });
    });

    it('locks the subscriber while a prompt is pending', async () => {
      await ctl('mode', { mode: 'interactive' });
      expect((await stkPush()).status).toBe(200);
      const second = await stkPush();
      expect(second.status).toBe(500);
      expect(second.body).toMatchObject({
        errorCode: '500.001.1001',
        errorMessage:
          'Unable to lock subscriber, a transaction is already in process for the current subscriber',
      });
      expect((await stkPush({ PhoneNumber: nextMsisdn() })).status).toBe(200);
    });

    it('records the raw requests for tests to inspect', async () => {
      await stkPush();
      await stkPush({ Amount: 0 });
      const { requests, oauthCalls } = await ctl('requests?kind=push');
      expect(oauthCalls).toBe(1);
      expect(requests).toHaveLength(2);
      expect(requests[0]).toMatchObject({
        kind: 'push',
        method: 'POST',
        path: '/sandbox/daraja/mpesa/stkpush/v1/processrequest',
        authScheme: 'Bearer',
        status: 200,
        body: pushBody(),
      });
      expect(requests[1]).toMatchObject({ status: 400, body: { Amount: 0 } });
    });
  });

  describe('callbacks', () => {
    it('success: the doc shape, items Amount (1500.00), receipt, empty Balance, numbers for date and phone', async () => {
      const { id, phone } = await pushWith({ outcome: 'success' });
      const [cb] = await callbackFor(id);
      expect(cb.secret).toBe(t.config.mpesa.callbackSecret);
      expect(cb.raw).toContain('{"Name":"Amount","Value":1500.00}');
      expect(cb.raw).toContain('{"Name":"Balance"}');
      expect(cb.raw).toMatch(/\{"Name":"TransactionDate","Value":\d{14}\}/);
      expect(cb.raw).toContain(`{"Name":"PhoneNumber","Value":${phone}}`);
      const stk = cb.body.Body.stkCallback;
      expect(stk).toMatchObject({
        CheckoutRequestID: id,
        MerchantRequestID: expect.any(String),
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
      });
      expect(stk.CallbackMetadata.Item.map((i: any) => i.Name)).toEqual([
        'Amount',
        'MpesaReceiptNumber',
        'Balance',
        'TransactionDate',
        'PhoneNumber',
      ]);
      expect(stk.CallbackMetadata.Item[1].Value).toMatch(/^[A-Z0-9]{10}$/);
    });

    it('writes Amount as an integer when asked', async () => {
      await ctl('settings', { amountForm: 'integer' });
      const { id } = await pushWith({ outcome: 'success' });
      const [cb] = await callbackFor(id);
      expect(cb.raw).toContain('{"Name":"Amount","Value":1500}');
    });

    it('failure: ResultCode as a number, no CallbackMetadata', async () => {
      const { id } = await pushWith({ outcome: 'cancelled' });
      const [cb] = await callbackFor(id);
      expect(cb.body).toEqual({
        Body: {
          stkCallback: {
            MerchantRequestID: expect.any(String),
            CheckoutRequestID: id,
            ResultCode: 1032,
            ResultDesc: 'Request cancelled by user',
          },
        },
      });
    });

    it('masked or missing PhoneNumber, and a partial amount', async () => {
      const masked = await pushWith({ outcome: 'masked_phone' });
      const missing = await pushWith({ outcome: 'masked_phone', phoneForm: 'missing' });
      const partial = await pushWith({ outcome: 'partial_amount' });
      const [m] = await callbackFor(masked.id);
      const [n] = await callbackFor(missing.id);
      const [p] = await callbackFor(partial.id);
      expect(m.raw).toContain(`{"Name":"PhoneNumber","Value":"2547****${masked.phone.slice(-3)}"}`);
      expect(n.raw).not.toContain('PhoneNumber');
      expect(p.raw).toContain('{"Name":"Amount","Value":750.00}');
    });

    it('magic amounts pick the outcome when nothing is queued', async () => {
      await ctl('settings', { defaultDelayMs: 0 });
      const expectations: [number, number][] = [
        [1032, 1032],
        [2001, 2001],
        [1037, 1037],
        [1111, 1],
        [1500, 0],
      ];
      for (const [amount, code] of expectations) {
        const res = await stkPush({ Amount: amount, PhoneNumber: nextMsisdn() });
        const [cb] = await callbackFor(res.body.CheckoutRequestID);
        expect(cb.body.Body.stkCallback.ResultCode).toBe(code);
      }
    });

    it('paybill with PartyB other than the shortcode ends in 2028', async () => {
      const { id } = await pushWith({ outcome: 'success' }, { PartyB: '600000' });
      const [cb] = await callbackFor(id);
      expect(cb.body.Body.stkCallback.ResultCode).toBe(2028);
    });
  });

  describe('STK query', () => {
    it('pending as HTTP 500 500.001.1001 or HTTP 200 "4999", then the final body', async () => {
      const { id } = await pushWith({ outcome: 'success', mode: 'interactive' });
      const pending = await stkQuery(id);
      expect(pending).toEqual({
        status: 500,
        body: {
          requestId: id,
          errorCode: '500.001.1001',
          errorMessage: 'The transaction is being processed',
        },
      });
      await ctl('settings', { queryPendingStyle: 'result4999' });
      expect(await stkQuery(id)).toMatchObject({
        status: 200,
        body: { ResultCode: '4999', ResultDesc: 'The transaction is still under processing' },
      });

      await ctl(`prompts/${id}/respond`, { action: 'pin' });
      const final = await stkQuery(id);
      expect(final.status).toBe(200);
      expect(final.body).toEqual({
        ResponseCode: '0',
        ResponseDescription: 'The service request has been accepted successsfully',
        MerchantRequestID: expect.any(String),
        CheckoutRequestID: id,
        ResultCode: '0',
        ResultDesc: 'The service request is processed successfully.',
      });
    });

    it('answers an unknown CheckoutRequestID with 400.002.02', async () => {
      const res = await stkQuery('ws_CO_nope');
      expect(res.status).toBe(400);
      expect(res.body.errorMessage).toBe('Bad Request - Invalid CheckoutRequestID');
    });

    it('rate-limits queries with 500.003.02 when configured', async () => {
      const { id } = await pushWith({ outcome: 'success' });
      await ctl('settings', { queryRateLimitPerMinute: 2 });
      expect((await stkQuery(id)).status).toBe(200);
      expect((await stkQuery(id)).status).toBe(200);
      const limited = await stkQuery(id);
      expect(limited.status).toBe(500);
      expect(limited.body.errorCode).toBe('500.003.02');
    });
  });

  describe('interactive prompts (the sandbox page)', () => {
    it('lists pending prompts and resolves them on respond', async () => {
      await ctl('mode', { mode: 'interactive' });
      const res = await stkPush({ Amount: 420 });
      const id = res.body.CheckoutRequestID;
      const { prompts } = await ctl('prompts');
      expect(prompts).toEqual([
        expect.objectContaining({
          checkoutRequestId: id,
          phone: '254708374149',
          amount: 420,
          accountReference: 'INV7K3Q',
          mode: 'interactive',
          status: 'pending',
        }),
      ]);
      await sleep(100);
      expect(received).toHaveLength(0);

      const answered = await ctl(`prompts/${id}/respond`, { action: 'wrong_pin' });
      expect(answered.prompt).toMatchObject({ status: 'final', resultCode: 2001 });
      const [cb] = await callbackFor(id);
      expect(cb.body.Body.stkCallback.ResultCode).toBe(2001);
      expect((await ctl('prompts')).prompts).toEqual([]);
      expect((await stkQuery(id)).body.ResultCode).toBe('2001');

      const again = await ctl(`prompts/${id}/respond`, { action: 'pin' }, 409);
      expect(again.statusCode).toBe(409);
      await ctl('prompts/ws_CO_nope/respond', { action: 'pin' }, 404);
      await ctl(`prompts/${id}/respond`, { action: 'dance' }, 400);
    });

    it('an unanswered prompt ends as 1037 after the prompt timeout', async () => {
      await ctl('settings', { mode: 'interactive', promptTimeoutMs: 50 });
      const res = await stkPush();
      const [cb] = await callbackFor(res.body.CheckoutRequestID);
      expect(cb.body.Body.stkCallback.ResultCode).toBe(1037);
    });

    it('a queued plan can be interactive in auto mode', async () => {
      const { id } = await pushWith({ outcome: 'insufficient_funds', mode: 'interactive' });
      expect((await ctl('prompts')).prompts.map((p: any) => p.checkoutRequestId)).toEqual([id]);
      await ctl(`prompts/${id}/respond`, { action: 'pin' });
      const [cb] = await callbackFor(id);
      expect(cb.body.Body.stkCallback.ResultCode).toBe(1);
    });
  });

  describe('control API', () => {
    it('validates its input', async () => {
      await ctl('next-outcome', { outcome: 'explode' }, 400);
      await ctl('next-outcome', { outcome: 'success', delayMs: -1 }, 400);
      await ctl('next-outcome', { outcome: 'success', phone: '12345' }, 400);
      await ctl('mode', { mode: 'manual' }, 400);
    });

    it('a plan queued for one phone does not leak to another', async () => {
      const target = nextMsisdn();
      await ctl('settings', { defaultDelayMs: 0 });
      await ctl('next-outcome', { phone: target, outcome: 'cancelled', delayMs: 0 });
      const other = await stkPush({ PhoneNumber: nextMsisdn(), Amount: 1500 });
      const mine = await stkPush({ PhoneNumber: target });
      const [o] = await callbackFor(other.body.CheckoutRequestID);
      const [m] = await callbackFor(mine.body.CheckoutRequestID);
      expect(o.body.Body.stkCallback.ResultCode).toBe(0);
      expect(m.body.Body.stkCallback.ResultCode).toBe(1032);
    });

    it('reset forgets pushes, requests and plans', async () => {
      await ctl('next-outcome', { outcome: 'cancelled' });
      await ctl('mode', { mode: 'interactive' });
      await stkPush();
      await ctl('reset', {});
      expect((await ctl('requests')).requests).toEqual([]);
      expect((await ctl('prompts')).prompts).toEqual([]);
      expect((await ctl('settings')).settings.mode).toBe('auto');
      const bare = await fetch(`${base()}/control/reset`, { method: 'POST' });
      expect(bare.status).toBe(200);
      // Tokens survive a plain reset, and the subscriber lock is gone.
      expect((await stkPush()).status).toBe(200);
    });
  });
});
