import type { SendOutcome } from '../../common/messaging/channel.port';

export type FailedSendOutcome = Exclude<SendOutcome, { status: 'accepted' }>;

/** What the provider answered when it did not accept a message. */
export interface WhatsAppErrorAnswer {
  httpStatus: number;
  /** `error.code` of Meta's error envelope (360dialog v2 forwards it unchanged). */
  code?: number;
  message?: string;
  /** Milliseconds from a Retry-After header, when the provider sent one. */
  retryAfterMs?: number;
}

type Rule =
  | { status: 'retryable'; retryAfterMs?: number }
  | { status: 'fallback' }
  | { status: 'permanent'; alert?: boolean };

/**
 * PROTOCOLS.md §2: Meta says to branch on `error.code`, not on the HTTP status, because the
 * same status (400) carries codes that call for opposite reactions.
 */
const RULES: Record<number, Rule> = {
  // Token expired or revoked: no send can succeed until ops fix the credentials.
  190: { status: 'permanent', alert: true },
  0: { status: 'permanent', alert: true },
  // Throughput limits: the hint is a floor; the caller's backoff decides the real wait.
  4: { status: 'retryable', retryAfterMs: 1_000 },
  80007: { status: 'retryable', retryAfterMs: 1_000 },
  130429: { status: 'retryable', retryAfterMs: 1_000 },
  // Pair rate limit: Meta allows roughly one message every 6 s to the same recipient.
  131056: { status: 'retryable', retryAfterMs: 6_000 },
  131000: { status: 'retryable', retryAfterMs: 5_000 },
  131057: { status: 'retryable', retryAfterMs: 30_000 },
  100: { status: 'permanent' },
  131008: { status: 'permanent' },
  131009: { status: 'permanent' },
  131051: { status: 'permanent' },
  // Our template does not match what Meta approved: a defect ops must see.
  132000: { status: 'permanent', alert: true },
  131026: { status: 'fallback' },
  131047: { status: 'fallback' },
  // The message cannot go out on WhatsApp at all, but SMS still reaches the person.
  132001: { status: 'fallback' },
};

/** Classifies a non-accepted answer of the WhatsApp Cloud API. Pure. */
export function classifyWhatsAppError(answer: WhatsAppErrorAnswer): FailedSendOutcome {
  const reason = answer.message?.slice(0, 300) ?? `HTTP ${answer.httpStatus}`;
  if (answer.code !== undefined) {
    const code = String(answer.code);
    const rule = RULES[answer.code];
    if (rule) {
      switch (rule.status) {
        case 'retryable': {
          const retryAfterMs = Math.max(answer.retryAfterMs ?? 0, rule.retryAfterMs ?? 0);
          return { status: 'retryable', code, reason, ...(retryAfterMs ? { retryAfterMs } : {}) };
        }
        case 'fallback':
          return { status: 'fallback', code, reason };
        case 'permanent':
          return { status: 'permanent', code, reason, ...(rule.alert ? { alert: true } : {}) };
      }
    }
    // An unlisted code: a server-side failure may pass, a client-side one will not.
    if (answer.httpStatus >= 500) return retryable(code, reason, answer.retryAfterMs);
    return { status: 'permanent', code, reason, alert: true };
  }
  return classifyHttpStatus(answer.httpStatus, reason, answer.retryAfterMs);
}

/** An answer without Meta's error envelope (a proxy, a load balancer, an outage page). */
function classifyHttpStatus(
  httpStatus: number,
  reason: string,
  retryAfterMs?: number,
): FailedSendOutcome {
  const code = `http_${httpStatus}`;
  if (httpStatus >= 500 || httpStatus === 429 || httpStatus === 408)
    return retryable(code, reason, retryAfterMs);
  // A wrong base URL or credentials rejected by a proxy: only ops can fix it.
  return { status: 'permanent', code, reason, alert: true };
}

function retryable(code: string, reason: string, retryAfterMs?: number): FailedSendOutcome {
  return { status: 'retryable', code, reason, ...(retryAfterMs ? { retryAfterMs } : {}) };
}

/**
 * The request never got an answer. A timeout may have been taken by Meta (maybeSent: the send
 * handler then does not send it again); a failure to connect was not.
 */
export function classifyNetworkError(err: unknown): FailedSendOutcome {
  // fetch rejects with a DOMException on timeout, which is not an Error in every realm.
  const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
  if (name === 'TimeoutError' || name === 'AbortError')
    return {
      status: 'retryable',
      code: 'timeout',
      reason: 'WhatsApp API did not answer in time',
      maybeSent: true,
    };
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return {
    status: 'retryable',
    code: 'network_error',
    reason: `WhatsApp API unreachable${cause}`.slice(0, 300),
  };
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
