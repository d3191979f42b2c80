import type { StkPushResult, StkQueryResult } from '../payment-provider.port';
import { readResultCode } from './daraja-result-codes';
import { type DarajaHttpResult, errorEnvelope, INVALID_ACCESS_TOKEN } from './daraja-http';

/** Daraja's answers turned into the port's results. Pure, so every branch is testable alone. */

const STILL_PROCESSING = 4999;

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Refused at Daraja's API gateway for rate (PROTOCOLS.md §1): nothing reached M-PESA. */
export const SPIKE_ARREST = '500.003.02';
export const QUOTA_VIOLATION = '500.003.03';
/** Subscriber lock ("a transaction is already in process") and wrong credentials share it. */
export const BUSINESS_REFUSAL = '500.001.1001';

/**
 * Throttling: spike arrest, quota, or a plain HTTP 429. The gateway refused the call before it
 * reached M-PESA, so a push was certainly not sent; calling again later, more slowly, is the cure.
 * It is never an outage (it does not count against a circuit breaker).
 */
export function isThrottled(result: DarajaHttpResult): boolean {
  if (result.kind === 'network') return false;
  if (result.status === 429) return true;
  const code = errorEnvelope(result.body)?.errorCode;
  return code === SPIKE_ARREST || code === QUOTA_VIOLATION;
}

/**
 * The rule: `rejected` only when Safaricom definitely did not start a prompt; anything that may have
 * reached the customer (timeouts, resets, 5xx other than a business refusal or throttling) is
 * `ambiguous`, and the caller must query instead of pushing again.
 */
export function mapPushResponse(result: DarajaHttpResult): StkPushResult {
  if (result.kind === 'network') {
    return result.maybeSent
      ? { status: 'ambiguous', reason: `network: ${result.detail}` }
      : {
          status: 'rejected',
          code: 'network_unreachable',
          message: `Daraja unreachable (${result.detail})`,
          retryable: true,
        };
  }
  const { status, body } = result;
  if (status >= 200 && status < 300) {
    const rawCode = field(body, 'ResponseCode');
    // A string on the wire ("0"); tolerate a number.
    const responseCode =
      typeof rawCode === 'string' || typeof rawCode === 'number' ? String(rawCode) : '';
    const checkoutRequestId = text(field(body, 'CheckoutRequestID'));
    const merchantRequestId = text(field(body, 'MerchantRequestID'));
    if (responseCode === '0' && checkoutRequestId && merchantRequestId) {
      return {
        status: 'accepted',
        merchantRequestId,
        checkoutRequestId,
        customerMessage:
          text(field(body, 'CustomerMessage')) ?? text(field(body, 'ResponseDescription')) ?? '',
      };
    }
    if (responseCode !== '' && responseCode !== '0') {
      return {
        status: 'rejected',
        code: `response_${responseCode}`,
        message: text(field(body, 'ResponseDescription')) ?? 'Request not accepted',
        retryable: false,
      };
    }
    return { status: 'ambiguous', reason: `unreadable HTTP ${status} answer` };
  }

  const envelope = errorEnvelope(body);
  if (isThrottled(result)) {
    // Refused at the gateway: definite, and worth another try once the rate allows.
    return {
      status: 'rejected',
      code: envelope?.errorCode ?? `http_${status}`,
      message: envelope?.errorMessage || `HTTP ${status}: rate limited`,
      retryable: true,
    };
  }
  if (!envelope) {
    if (status >= 500) return { status: 'ambiguous', reason: `HTTP ${status}` };
    return {
      status: 'rejected',
      code: `http_${status}`,
      message: `HTTP ${status}`,
      retryable: status === 429,
    };
  }
  const { errorCode: code, errorMessage: message } = envelope;
  if (code === INVALID_ACCESS_TOKEN) return { status: 'rejected', code, message, retryable: true };
  if (code === BUSINESS_REFUSAL) {
    // A business refusal, answered before any prompt: "Unable to lock subscriber" clears when the
    // customer's pending prompt ends; "Wrong credentials" or "Merchant does not exist" never does.
    return {
      status: 'rejected',
      code,
      message,
      retryable: /lock subscriber|already in process/i.test(message),
    };
  }
  if (status < 500) return { status: 'rejected', code, message, retryable: false };
  // 500.003.1001 (internal error) and unknown 5xx: Safaricom does not say whether the prompt went
  // out.
  return { status: 'ambiguous', reason: `${code} ${message}`.trim() };
}

export function mapQueryResponse(result: DarajaHttpResult): StkQueryResult {
  if (result.kind === 'network')
    return { status: 'error', code: 'network', message: result.detail };
  const { status, body } = result;
  if (status >= 200 && status < 300) {
    const resultCode = readResultCode(field(body, 'ResultCode'));
    const resultDesc = text(field(body, 'ResultDesc')) ?? '';
    if (resultCode?.code === STILL_PROCESSING) {
      return {
        status: 'pending',
        reason: resultDesc || 'The transaction is still under processing',
      };
    }
    if (resultCode !== undefined) {
      return {
        status: 'final',
        resultCode: resultCode.code,
        rawResultCode: resultCode.raw,
        resultDesc,
      };
    }
    return {
      status: 'error',
      code: 'unexpected_response',
      message: `HTTP ${status} without ResultCode`,
    };
  }
  const envelope = errorEnvelope(body);
  if (!envelope) return { status: 'error', code: `http_${status}`, message: `HTTP ${status}` };
  const { errorCode: code, errorMessage: message } = envelope;
  if (code === BUSINESS_REFUSAL && /being processed|under processing/i.test(message)) {
    return { status: 'pending', reason: message };
  }
  // Queried before Daraja indexed the request: ask again later.
  if (code === '400.002.02' && /CheckoutRequestID/i.test(message)) {
    return { status: 'pending', reason: message };
  }
  return { status: 'error', code, message };
}

/**
 * Network failures and server errors count against an operation's circuit; business refusals
 * (`500.001.1001`: subscriber locked, wrong credentials, still processing) and throttling do not:
 * they are Daraja working as designed, and opening the circuit on them would turn a slow-down
 * into an outage.
 */
export function countsAsOutage(result: DarajaHttpResult): boolean {
  if (result.kind === 'network') return true;
  if (result.status < 500 || isThrottled(result)) return false;
  return errorEnvelope(result.body)?.errorCode !== BUSINESS_REFUSAL;
}

/**
 * Push: retry inside the client only when the request provably never left, so no second prompt
 * can result. A throttled push was not sent either, but an immediate retry would only feed the
 * rate limit: it goes back to the caller as a retryable refusal (the outbox retries it with
 * backoff and jitter).
 */
export function isUnsent(result: DarajaHttpResult): boolean {
  return result.kind === 'network' && !result.maybeSent;
}

/** OAuth and query are safe to repeat: retry network failures and plain server errors. */
export function isTransient(result: DarajaHttpResult): boolean {
  if (result.kind === 'network') return true;
  const code = errorEnvelope(result.body)?.errorCode;
  if (code) return code === '500.003.1001';
  return result.status === 502 || result.status === 503 || result.status === 504;
}
