import { observeProviderCall } from '../../stats/provider-metrics';
/**
 * One HTTP exchange with Daraja, never throwing: either the response (JSON parsed when it is
 * JSON) or a network failure that says whether the request may have reached Safaricom.
 */
export type DarajaHttpResult =
  | {
      kind: 'response';
      status: number;
      body: unknown;
      /** From a `Retry-After` header, when the gateway sent one (throttling). */
      retryAfterMs?: number;
    }
  | { kind: 'network'; maybeSent: boolean; detail: string };

export interface DarajaErrorEnvelope {
  requestId?: string;
  errorCode: string;
  errorMessage: string;
}

/** Failures that happen before a single byte of the request left this machine. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | null)
    ?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  const nested = cause?.errors?.find((e) => typeof e.code === 'string')?.code;
  return typeof nested === 'string' ? nested : undefined;
}

export function classifyNetworkError(error: unknown): { maybeSent: boolean; detail: string } {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return { maybeSent: true, detail: 'timeout' };
  const code = causeCode(error);
  if (code && NOT_SENT_CODES.has(code)) return { maybeSent: false, detail: code };
  // Connection reset, socket closed mid-request, unknown: the request may have been processed.
  return { maybeSent: true, detail: code ?? 'network_error' };
}

export interface DarajaHttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

function operationOf(url: string): string {
  if (url.includes('/oauth/')) return 'oauth';
  if (url.includes('stkpushquery')) return 'stk_query';
  if (url.includes('stkpush')) return 'stk_push';
  return 'other';
}

export async function darajaHttp(request: DarajaHttpRequest): Promise<DarajaHttpResult> {
  const startedAt = performance.now();
  const result = await call(request);
  const code =
    result.kind === 'network'
      ? result.detail
      : result.status >= 400
        ? (errorEnvelope(result.body)?.errorCode ?? `http_${result.status}`)
        : undefined;
  observeProviderCall('daraja', operationOf(request.url), startedAt, code);
  return result;
}

async function call(request: DarajaHttpRequest): Promise<DarajaHttpResult> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: {
        Accept: 'application/json',
        ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await response.text();
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return {
      kind: 'response',
      status: response.status,
      body: parseJson(text),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  } catch (error) {
    return { kind: 'network', ...classifyNetworkError(error) };
  }
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `{"requestId","errorCode","errorMessage"}`, Daraja's error shape on every API. */
export function errorEnvelope(body: unknown): DarajaErrorEnvelope | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.errorCode !== 'string') return null;
  return {
    requestId: typeof b.requestId === 'string' ? b.requestId : undefined,
    errorCode: b.errorCode,
    errorMessage: typeof b.errorMessage === 'string' ? b.errorMessage : '',
  };
}

export const INVALID_ACCESS_TOKEN = '404.001.03';

export function isInvalidToken(result: DarajaHttpResult): boolean {
  return (
    result.kind === 'response' && errorEnvelope(result.body)?.errorCode === INVALID_ACCESS_TOKEN
  );
}

/** A short, log-safe description (no bodies: they may hold phone numbers). */
export function describeResult(result: DarajaHttpResult): string {
  if (result.kind === 'network') return `network ${result.detail}`;
  const envelope = errorEnvelope(result.body);
  return envelope
    ? `HTTP ${result.status} ${envelope.errorCode} ${envelope.errorMessage}`
    : `HTTP ${result.status}`;
}
