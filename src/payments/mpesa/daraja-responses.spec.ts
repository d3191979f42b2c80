import type { DarajaHttpResult } from './daraja-http';
import { classifyNetworkError, parseRetryAfter } from './daraja-http';
import {
  countsAsOutage,
  isThrottled,
  isTransient,
  isUnsent,
  mapPushResponse,
  mapQueryResponse,
} from './daraja-responses';

const res = (status: number, body: unknown): DarajaHttpResult => ({
  kind: 'response',
  status,
  body,
});
const env = (errorCode: string, errorMessage: string) => ({
  requestId: 'r-1',
  errorCode,
  errorMessage,
});

describe('mapPushResponse', () => {
  it('accepts the documented 200 body', () => {
    expect(
      mapPushResponse(
        res(200, {
          MerchantRequestID: '2654-4b64-97ff-b827b542881d3130',
          CheckoutRequestID: 'ws_CO_1007202409152617172396192',
          ResponseCode: '0',
          ResponseDescription: 'Success. Request accepted for processing',
          CustomerMessage: 'Success. Request accepted for processing',
        }),
      ),
    ).toEqual({
      status: 'accepted',
      merchantRequestId: '2654-4b64-97ff-b827b542881d3130',
      checkoutRequestId: 'ws_CO_1007202409152617172396192',
      customerMessage: 'Success. Request accepted for processing',
    });
  });

  it('is ambiguous for anything that may have started a prompt', () => {
    for (const r of [
      res(500, env('500.003.1001', 'Internal Server Error')),
      res(500, env('500.003.99', 'Something new')),
      res(503, '<html>busy</html>'),
      res(200, 'garbage'),
      res(200, { ResponseCode: '0' }),
      { kind: 'network', maybeSent: true, detail: 'timeout' } as DarajaHttpResult,
    ]) {
      expect(mapPushResponse(r).status).toBe('ambiguous');
    }
  });

  it('rejects spike arrest, quota and HTTP 429 as definite, retryable refusals (nothing reached M-PESA)', () => {
    expect(mapPushResponse(res(500, env('500.003.02', 'Spike Arrest Violation')))).toEqual({
      status: 'rejected',
      code: '500.003.02',
      message: 'Spike Arrest Violation',
      retryable: true,
    });
    expect(mapPushResponse(res(500, env('500.003.03', 'Quota Violation')))).toEqual({
      status: 'rejected',
      code: '500.003.03',
      message: 'Quota Violation',
      retryable: true,
    });
    // The gateway may put the same envelope on a 429, or answer 429 with no envelope at all.
    expect(mapPushResponse(res(429, env('500.003.02', 'Spike arrest violation')))).toEqual({
      status: 'rejected',
      code: '500.003.02',
      message: 'Spike arrest violation',
      retryable: true,
    });
    expect(mapPushResponse(res(429, '<html>Too Many Requests</html>'))).toEqual({
      status: 'rejected',
      code: 'http_429',
      message: 'HTTP 429: rate limited',
      retryable: true,
    });
    expect(mapPushResponse(res(429, undefined))).toMatchObject({
      status: 'rejected',
      retryable: true,
    });
  });

  it('rejects definite refusals, retryable only when waiting helps', () => {
    expect(mapPushResponse(res(400, env('400.002.02', 'Bad Request - Invalid Amount')))).toEqual({
      status: 'rejected',
      code: '400.002.02',
      message: 'Bad Request - Invalid Amount',
      retryable: false,
    });
    expect(
      mapPushResponse(
        res(
          500,
          env(
            '500.001.1001',
            'Unable to lock subscriber, a transaction is already in process for the current subscriber',
          ),
        ),
      ),
    ).toMatchObject({ status: 'rejected', code: '500.001.1001', retryable: true });
    expect(mapPushResponse(res(500, env('500.001.1001', 'Wrong credentials')))).toMatchObject({
      status: 'rejected',
      retryable: false,
    });
    expect(mapPushResponse(res(404, env('404.001.03', 'Invalid Access Token')))).toMatchObject({
      status: 'rejected',
      retryable: true,
    });
    expect(
      mapPushResponse({ kind: 'network', maybeSent: false, detail: 'ECONNREFUSED' }),
    ).toMatchObject({ status: 'rejected', code: 'network_unreachable', retryable: true });
    expect(mapPushResponse(res(200, { ResponseCode: '1', ResponseDescription: 'No' }))).toEqual({
      status: 'rejected',
      code: 'response_1',
      message: 'No',
      retryable: false,
    });
  });
});

describe('mapQueryResponse', () => {
  const final = {
    ResponseCode: '0',
    ResponseDescription: 'The service request has been accepted successsfully',
    MerchantRequestID: 'm',
    CheckoutRequestID: 'ws_CO_1',
    ResultCode: '1032',
    ResultDesc: 'Request cancelled by user',
  };

  it('parses the final ResultCode string to a number', () => {
    expect(mapQueryResponse(res(200, final))).toEqual({
      status: 'final',
      resultCode: 1032,
      rawResultCode: '1032',
      resultDesc: 'Request cancelled by user',
    });
    expect(mapQueryResponse(res(200, { ...final, ResultCode: '0' }))).toMatchObject({
      resultCode: 0,
    });
  });

  it('ends on a non-numeric ResultCode instead of asking for ever', () => {
    expect(mapQueryResponse(res(200, { ...final, ResultCode: 'SFC_IC0003' }))).toEqual({
      status: 'final',
      resultCode: null,
      rawResultCode: 'SFC_IC0003',
      resultDesc: 'Request cancelled by user',
    });
  });

  it('reads the three "ask again later" answers as pending', () => {
    for (const r of [
      res(500, env('500.001.1001', 'The transaction is being processed')),
      res(200, {
        ...final,
        ResultCode: '4999',
        ResultDesc: 'The transaction is still under processing',
      }),
      res(400, env('400.002.02', 'Bad Request - Invalid CheckoutRequestID')),
    ]) {
      expect(mapQueryResponse(r).status).toBe('pending');
    }
  });

  it('reports other failures as errors with their code', () => {
    expect(mapQueryResponse(res(500, env('500.003.02', 'Spike Arrest Violation')))).toEqual({
      status: 'error',
      code: '500.003.02',
      message: 'Spike Arrest Violation',
    });
    expect(mapQueryResponse(res(500, env('500.003.03', 'Quota Violation')))).toMatchObject({
      status: 'error',
      code: '500.003.03',
    });
    expect(mapQueryResponse(res(429, ''))).toMatchObject({ status: 'error', code: 'http_429' });
    expect(mapQueryResponse(res(500, env('500.001.1001', 'Wrong credentials'))).status).toBe(
      'error',
    );
    expect(mapQueryResponse({ kind: 'network', maybeSent: true, detail: 'timeout' })).toEqual({
      status: 'error',
      code: 'network',
      message: 'timeout',
    });
    expect(mapQueryResponse(res(200, { ResponseCode: '0' })).status).toBe('error');
  });
});

describe('retry and breaker predicates', () => {
  it('retries a push only when it was never sent', () => {
    expect(isUnsent({ kind: 'network', maybeSent: false, detail: 'ECONNREFUSED' })).toBe(true);
    expect(isUnsent({ kind: 'network', maybeSent: true, detail: 'timeout' })).toBe(false);
    expect(isUnsent(res(500, env('500.003.1001', 'Internal Server Error')))).toBe(false);
  });

  it('retries OAuth/query on network errors and plain server errors, not on rate limits', () => {
    expect(isTransient({ kind: 'network', maybeSent: true, detail: 'timeout' })).toBe(true);
    expect(isTransient(res(500, env('500.003.1001', 'Internal Server Error')))).toBe(true);
    expect(isTransient(res(503, ''))).toBe(true);
    expect(isTransient(res(500, env('500.003.02', 'Spike Arrest Violation')))).toBe(false);
    expect(isTransient(res(400, env('400.002.02', 'Bad Request - Invalid Amount')))).toBe(false);
  });

  it('counts outages, not business refusals, against the circuit', () => {
    expect(countsAsOutage({ kind: 'network', maybeSent: false, detail: 'ECONNREFUSED' })).toBe(
      true,
    );
    expect(countsAsOutage({ kind: 'network', maybeSent: true, detail: 'timeout' })).toBe(true);
    expect(countsAsOutage(res(500, env('500.003.1001', 'Internal Server Error')))).toBe(true);
    expect(countsAsOutage(res(502, '<html>Bad Gateway</html>'))).toBe(true);
    expect(countsAsOutage(res(500, env('500.001.1001', 'Unable to lock subscriber')))).toBe(false);
    expect(
      countsAsOutage(res(500, env('500.001.1001', 'The transaction is being processed'))),
    ).toBe(false);
    expect(countsAsOutage(res(400, env('400.002.02', 'Bad Request - Invalid Amount')))).toBe(false);
  });

  it('never counts throttling as an outage', () => {
    for (const r of [
      res(500, env('500.003.02', 'Spike Arrest Violation')),
      res(500, env('500.003.03', 'Quota Violation')),
      res(429, ''),
      res(429, env('500.003.02', 'Spike Arrest Violation')),
    ]) {
      expect(isThrottled(r)).toBe(true);
      expect(countsAsOutage(r)).toBe(false);
      // Not retried inside the client either: an immediate retry only feeds the rate limit.
      expect(isUnsent(r)).toBe(false);
      expect(isTransient(r)).toBe(false);
    }
    expect(isThrottled(res(500, env('500.003.1001', 'Internal Server Error')))).toBe(false);
    expect(isThrottled(res(500, env('500.001.1001', 'Unable to lock subscriber')))).toBe(false);
    expect(isThrottled({ kind: 'network', maybeSent: false, detail: 'ECONNREFUSED' })).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores the rest', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-15T10:00:00Z');
    expect(parseRetryAfter('Thu, 15 Jan 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 15 Jan 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('-3')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('classifyNetworkError', () => {
  const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });

  it('knows which failures happen before anything is sent', () => {
    expect(classifyNetworkError(fetchFailed({ code: 'ECONNREFUSED' }))).toEqual({
      maybeSent: false,
      detail: 'ECONNREFUSED',
    });
    expect(
      classifyNetworkError(fetchFailed({ errors: [{ code: 'ECONNREFUSED' }, { code: 'X' }] })),
    ).toMatchObject({ maybeSent: false });
    expect(classifyNetworkError(fetchFailed({ code: 'ENOTFOUND' })).maybeSent).toBe(false);
  });

  it('treats timeouts, resets and unknown errors as possibly sent', () => {
    expect(classifyNetworkError(new DOMException('timed out', 'TimeoutError'))).toEqual({
      maybeSent: true,
      detail: 'timeout',
    });
    expect(classifyNetworkError(fetchFailed({ code: 'ECONNRESET' })).maybeSent).toBe(true);
    expect(classifyNetworkError(fetchFailed({ code: 'UND_ERR_SOCKET' })).maybeSent).toBe(true);
    expect(classifyNetworkError(new Error('weird')).maybeSent).toBe(true);
  });
});
