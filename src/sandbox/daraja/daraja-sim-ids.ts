import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(chars: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += chars[randomInt(chars.length)];
  return out;
}

function digits(length: number): string {
  return pick('0123456789', length);
}

/**
 * Nairobi wall-clock parts. East Africa Time is UTC+3 all year (no daylight saving), and the
 * simulator keeps its own arithmetic rather than the client's helper so the two can disagree.
 */
function nairobi(at: Date): { y: string; mo: string; d: string; h: string; mi: string; s: string } {
  const t = new Date(at.getTime() + 3 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return {
    y: String(t.getUTCFullYear()),
    mo: p(t.getUTCMonth() + 1),
    d: p(t.getUTCDate()),
    h: p(t.getUTCHours()),
    mi: p(t.getUTCMinutes()),
    s: p(t.getUTCSeconds()),
  };
}

/** YYYYMMDDHHmmss, Nairobi time, as a number (the callback's TransactionDate). */
export function transactionDate(at: Date = new Date()): number {
  const n = nairobi(at);
  return Number(`${n.y}${n.mo}${n.d}${n.h}${n.mi}${n.s}`);
}

/** "ws_CO_" + DDMMYYYYHHmmss + digits, the shape of real CheckoutRequestIDs. */
export function checkoutRequestId(at: Date = new Date()): string {
  const n = nairobi(at);
  return `ws_CO_${n.d}${n.mo}${n.y}${n.h}${n.mi}${n.s}${digits(12)}`;
}

/** e.g. "2654-4b64-97ff-b827b542881d3130". */
export function merchantRequestId(): string {
  const hex = randomBytes(14).toString('hex');
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 24)}${digits(4)}`;
}

/** Ten uppercase letters and digits, starting with a letter, like "NLJ7RT61SV". */
export function mpesaReceipt(): string {
  return `${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1)}${pick(ALNUM, 9)}`;
}

export function accessToken(): string {
  return pick(TOKEN_CHARS, 28);
}

/** The requestId of error envelopes, e.g. "16813-1590513-1". */
export function errorRequestId(): string {
  return `${randomInt(10_000, 99_999)}-${randomInt(1_000_000, 9_999_999)}-1`;
}
