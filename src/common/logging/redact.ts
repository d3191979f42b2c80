import { createHash } from 'node:crypto';

/**
 * Kenyan (and generally E.164-looking) phone numbers in free text: +254712345678, 254712345678,
 * 0712345678, 0712 345 678. Masked to keep the country prefix and the last three digits.
 */
const PHONE_PATTERN = /(?<![\w])(\+?254|0)[\s-]?([17]\d{2})[\s-]?(\d{3})[\s-]?(\d{3})(?![\d])/g;

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return '***';
  const prefix = digits.startsWith('254') ? digits.slice(0, 4) : digits.slice(0, 2);
  return `${prefix}****${digits.slice(-3)}`;
}

export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_PATTERN, (match) => maskPhone(match));
}

/** A stable, non-reversible handle for a phone number, for correlating log lines. */
export function hashPhone(phone: string): string {
  return createHash('sha256')
    .update(`invoiceiq:${phone.replace(/\D/g, '')}`)
    .digest('hex')
    .slice(0, 12);
}

/** Path segments that are secrets (webhook secrets, pay tokens) after these prefixes. */
const SECRET_PATH_PREFIXES = ['/pay/', '/sms/inbound/', '/sms/status/', '/payments/stk/callback/'];
const SECRET_QUERY_KEYS = new Set([
  'hub.verify_token',
  'token',
  'key',
  'api_key',
  'apikey',
  'secret',
]);

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function redactUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  let safePath = path;
  for (const prefix of SECRET_PATH_PREFIXES) {
    if (safePath.startsWith(prefix)) {
      const rest = safePath.slice(prefix.length);
      const slash = rest.indexOf('/');
      safePath = `${prefix}[redacted]${slash >= 0 ? rest.slice(slash) : ''}`;
      break;
    }
  }
  safePath = maskPhonesInText(safeDecode(safePath));
  if (query === undefined) return safePath;
  const params = query.split('&').map((pair) => {
    const [k = '', v] = pair.split('=', 2);
    if (v === undefined) return maskPhonesInText(k);
    if (SECRET_QUERY_KEYS.has(safeDecode(k).toLowerCase())) return `${k}=[redacted]`;
    return `${k}=${maskPhonesInText(safeDecode(v.replace(/\+/g, ' ')))}`;
  });
  return `${safePath}?${params.join('&')}`;
}

/** Keys whose values never reach the logs, whatever they hold. */
const SECRET_KEYS = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'x-hub-signature-256',
  'd360-api-key',
  'x-webhook-secret',
  'apikey',
  'api_key',
  'apiKey',
  'token',
  'access_token',
  'password',
  'passkey',
  'secret',
  'payToken',
  'pay_token',
  'body',
  'text',
  'message_body',
]);
const PHONE_KEYS = new Set([
  'phone',
  'msisdn',
  'to',
  'from',
  'recipient',
  'phoneNumber',
  'customerPhone',
  'wa_id',
  'peerPhone',
]);

/** Deep copy of a log object with secrets removed and phone numbers masked. */
export function sanitizeForLog(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[depth]';
  if (typeof value === 'string') return maskPhonesInText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => sanitizeForLog(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>))
    out[key] = sanitizeEntry(key, v, depth + 1);
  return out;
}

export function sanitizeEntry(key: string, value: unknown, depth = 0): unknown {
  if (SECRET_KEYS.has(key) || SECRET_KEYS.has(key.toLowerCase())) return '[redacted]';
  if (PHONE_KEYS.has(key) && typeof value === 'string') return maskPhone(value);
  return sanitizeForLog(value, depth);
}
