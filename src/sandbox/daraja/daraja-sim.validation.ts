/**
 * Daraja's request checks as the simulator applies them: field rules from PROTOCOLS.md §1,
 * answered with Daraja's own error codes and messages.
 */
import { stkPasswordMatches } from './daraja-sim-password';

export interface SimError {
  status: number;
  errorCode: string;
  errorMessage: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: SimError };

export interface ValidPush {
  BusinessShortCode: string;
  Timestamp: string;
  TransactionType: string;
  Amount: number;
  PartyA: string;
  PartyB: string;
  PhoneNumber: string;
  CallBackURL: string;
  AccountReference: string;
  TransactionDesc: string;
}

export interface ValidQuery {
  BusinessShortCode: string;
  CheckoutRequestID: string;
}

/** Shortcode → passkey of the merchants the simulator knows. */
export type Passkeys = ReadonlyMap<string, string>;

const MSISDN = /^254[17]\d{8}$/;
const SHORTCODE = /^\d{5,7}$/;
const TRANSACTION_TYPES = new Set(['CustomerPayBillOnline', 'CustomerBuyGoodsOnline']);

export const invalid = (field: string): SimError => ({
  status: 400,
  errorCode: '400.002.02',
  errorMessage: `Bad Request - Invalid ${field}`,
});

const refused = (errorMessage: string): SimError => ({
  status: 500,
  errorCode: '500.001.1001',
  errorMessage,
});

/** Numbers and digit strings alike, as Daraja takes either for numeric fields. */
function asDigits(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  return undefined;
}

function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{14}$/.test(value)) return false;
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((i, k) =>
    Number(value.slice(i, k === 0 ? 4 : i + 2)),
  ) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60
  );
}

function isCallbackUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value === '' || /\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/json\b/i.test(contentType?.trim() ?? '');
}

function object(body: unknown): Record<string, unknown> | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

/** Password must be base64(shortcode + passkey + Timestamp) with this very Timestamp. */
function checkCredentials(
  shortcode: string,
  password: unknown,
  timestamp: string,
  passkeys: Passkeys,
): SimError | undefined {
  const passkey = passkeys.get(shortcode);
  if (passkey === undefined) return refused('Merchant does not exist');
  return typeof password === 'string' && stkPasswordMatches(password, shortcode, passkey, timestamp)
    ? undefined
    : refused('Wrong credentials');
}

/** Common head of push and query: JSON, shortcode, Password, Timestamp. */
function checkHead(
  contentType: string | undefined,
  body: unknown,
): Checked<{ b: Record<string, unknown>; shortcode: string; timestamp: string }> {
  const b = object(body);
  // Daraja answers a non-JSON body by complaining about the first field it cannot read.
  if (!isJson(contentType) || !b) return { ok: false, error: invalid('BusinessShortCode') };
  const shortcode = asDigits(b.BusinessShortCode);
  if (!shortcode || !SHORTCODE.test(shortcode)) {
    return { ok: false, error: invalid('BusinessShortCode') };
  }
  if (typeof b.Password !== 'string' || b.Password === '') {
    return { ok: false, error: invalid('Password') };
  }
  if (!isTimestamp(b.Timestamp)) return { ok: false, error: invalid('Timestamp') };
  return { ok: true, value: { b, shortcode, timestamp: b.Timestamp } };
}

export function validatePush(
  contentType: string | undefined,
  body: unknown,
  passkeys: Passkeys,
): Checked<ValidPush> {
  const head = checkHead(contentType, body);
  if (!head.ok) return head;
  const { b, shortcode, timestamp } = head.value;
  if (typeof b.TransactionType !== 'string' || !TRANSACTION_TYPES.has(b.TransactionType)) {
    return { ok: false, error: invalid('TransactionType') };
  }
  const amount = asDigits(b.Amount);
  const amountValue = amount === undefined ? NaN : Number(amount);
  if (!(amountValue >= 1 && amountValue <= 250_000)) return { ok: false, error: invalid('Amount') };
  const partyA = asDigits(b.PartyA);
  if (!partyA || !MSISDN.test(partyA)) return { ok: false, error: invalid('PartyA') };
  const partyB = asDigits(b.PartyB);
  if (!partyB || !SHORTCODE.test(partyB)) return { ok: false, error: invalid('PartyB') };
  const phone = asDigits(b.PhoneNumber);
  if (!phone || !MSISDN.test(phone)) return { ok: false, error: invalid('PhoneNumber') };
  if (!isCallbackUrl(b.CallBackURL)) return { ok: false, error: invalid('CallBackURL') };
  const ref = b.AccountReference;
  if (typeof ref !== 'string' || ref.length < 1 || ref.length > 12) {
    return { ok: false, error: invalid('AccountReference') };
  }
  const desc = b.TransactionDesc;
  if (typeof desc !== 'string' || desc.length < 1 || desc.length > 13) {
    return { ok: false, error: invalid('TransactionDesc') };
  }
  const credentials = checkCredentials(shortcode, b.Password, timestamp, passkeys);
  if (credentials) return { ok: false, error: credentials };
  return {
    ok: true,
    value: {
      BusinessShortCode: shortcode,
      Timestamp: timestamp,
      TransactionType: b.TransactionType,
      Amount: amountValue,
      PartyA: partyA,
      PartyB: partyB,
      PhoneNumber: phone,
      CallBackURL: b.CallBackURL,
      AccountReference: ref,
      TransactionDesc: desc,
    },
  };
}

export function validateQuery(
  contentType: string | undefined,
  body: unknown,
  passkeys: Passkeys,
): Checked<ValidQuery> {
  const head = checkHead(contentType, body);
  if (!head.ok) return head;
  const { b, shortcode, timestamp } = head.value;
  if (typeof b.CheckoutRequestID !== 'string' || b.CheckoutRequestID.trim() === '') {
    return { ok: false, error: invalid('CheckoutRequestID') };
  }
  const credentials = checkCredentials(shortcode, b.Password, timestamp, passkeys);
  if (credentials) return { ok: false, error: credentials };
  return {
    ok: true,
    value: { BusinessShortCode: shortcode, CheckoutRequestID: b.CheckoutRequestID },
  };
}
