import { classifyNetworkError, classifyWhatsAppError, parseRetryAfter } from './whatsapp-errors';

describe('classifyWhatsAppError', () => {
  it.each([190, 0])('code %i (auth) is permanent and alerts ops', (code) => {
    expect(classifyWhatsAppError({ httpStatus: 401, code })).toMatchObject({
      status: 'permanent',
      code: String(code),
      alert: true,
    });
  });

  it.each([4, 80007, 130429, 131056, 131000, 131057])('code %i is retryable', (code) => {
    const outcome = classifyWhatsAppError({ httpStatus: 400, code });
    expect(outcome).toMatchObject({ status: 'retryable', code: String(code) });
    expect(outcome.status === 'retryable' && outcome.retryAfterMs).toBeGreaterThan(0);
  });

  it.each([100, 131008, 131009, 131051, 132000])('code %i is permanent', (code) => {
    expect(classifyWhatsAppError({ httpStatus: 400, code })).toMatchObject({
      status: 'permanent',
      code: String(code),
    });
  });

  it.each([131026, 131047, 132001])('code %i falls back to the next channel', (code) => {
    expect(classifyWhatsAppError({ httpStatus: 400, code })).toEqual({
      status: 'fallback',
      code: String(code),
      reason: 'HTTP 400',
    });
  });

  it('branches on the code, not on the HTTP status', () => {
    // A rate limit answered with 400 is still retryable; a bad parameter answered with 500 is not.
    expect(classifyWhatsAppError({ httpStatus: 400, code: 130429 }).status).toBe('retryable');
    expect(classifyWhatsAppError({ httpStatus: 500, code: 100 }).status).toBe('permanent');
    expect(classifyWhatsAppError({ httpStatus: 200, code: 131047 }).status).toBe('fallback');
  });

  it('keeps the longer of the provider Retry-After and the code hint', () => {
    const outcome = classifyWhatsAppError({ httpStatus: 429, code: 130429, retryAfterMs: 9_000 });
    expect(outcome).toMatchObject({ status: 'retryable', retryAfterMs: 9_000 });
  });

  it('carries the provider message as the reason, truncated', () => {
    const outcome = classifyWhatsAppError({
      httpStatus: 400,
      code: 131047,
      message: `(#131047) Re-engagement message${'x'.repeat(500)}`,
    });
    expect(outcome.reason.startsWith('(#131047) Re-engagement message')).toBe(true);
    expect(outcome.reason.length).toBe(300);
  });

  it('treats an unknown code as retryable on 5xx and permanent (alerting) on 4xx', () => {
    expect(classifyWhatsAppError({ httpStatus: 503, code: 999999 })).toMatchObject({
      status: 'retryable',
      code: '999999',
    });
    expect(classifyWhatsAppError({ httpStatus: 400, code: 999999 })).toMatchObject({
      status: 'permanent',
      code: '999999',
      alert: true,
    });
  });

  it.each([500, 502, 503, 504, 429, 408])('HTTP %i without a code is retryable', (httpStatus) => {
    expect(classifyWhatsAppError({ httpStatus })).toMatchObject({
      status: 'retryable',
      code: `http_${httpStatus}`,
    });
  });

  it.each([400, 401, 403, 404])('HTTP %i without a code is permanent and alerts', (httpStatus) => {
    expect(classifyWhatsAppError({ httpStatus })).toMatchObject({
      status: 'permanent',
      code: `http_${httpStatus}`,
      alert: true,
    });
  });
});

describe('classifyNetworkError', () => {
  it('classifies a timeout as retryable', () => {
    const err = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyNetworkError(err)).toMatchObject({ status: 'retryable', code: 'timeout' });
  });

  it('classifies a refused connection as retryable', () => {
    const err = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    expect(classifyNetworkError(err)).toEqual({
      status: 'retryable',
      code: 'network_error',
      reason: 'WhatsApp API unreachable: connect ECONNREFUSED',
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
