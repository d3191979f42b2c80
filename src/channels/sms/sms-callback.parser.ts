import { type KenyanMobile, parseKenyanMobile } from '../../common/phone';
import { type AtDeliveryStatus, isDeliveryStatus } from './africastalking-status';

/**
 * Africa's Talking callbacks are unsigned form posts; after the path secret has been checked
 * these turn the parsed body into typed values or a short machine-readable reason. Reasons
 * never quote field values (they may be phone numbers or message text).
 */

export interface InboundSmsCallback {
  id: string;
  from: KenyanMobile;
  to: string;
  text: string;
  /** AT's `date`, when it parses. */
  date?: Date;
  linkId?: string;
  networkCode?: string;
}

export interface DeliveryReportCallback {
  id: string;
  status: AtDeliveryStatus;
  failureReason?: string;
  networkCode?: string;
  retryCount?: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; id?: string };

const ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
const MAX_TEXT = 5_000;
const SHORT_FIELD = /^[\x20-\x7e]{0,64}$/;

type Fields = Record<string, unknown>;

function asFields(body: unknown): Fields | undefined {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Fields) : undefined;
}

/** A single string field; repeated fields arrive as arrays and are refused. */
function field(fields: Fields, name: string): string | undefined | null {
  const v = fields[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : null;
}

function optionalShort(fields: Fields, name: string): string | undefined | false {
  const v = field(fields, name);
  if (v === null) return false;
  if (v === undefined || v.trim() === '') return undefined;
  return SHORT_FIELD.test(v.trim()) ? v.trim() : false;
}

export function parseInboundSms(body: unknown): Parsed<InboundSmsCallback> {
  const fields = asFields(body);
  if (!fields) return { ok: false, reason: 'not_a_form' };
  const id = field(fields, 'id')?.trim();
  if (!id || !ID_PATTERN.test(id)) return { ok: false, reason: 'bad_id' };
  const from = field(fields, 'from');
  if (!from) return { ok: false, reason: 'missing_from', id };
  const to = field(fields, 'to')?.trim();
  if (!to || !SHORT_FIELD.test(to)) return { ok: false, reason: 'bad_to', id };
  const text = field(fields, 'text');
  if (typeof text !== 'string') return { ok: false, reason: 'missing_text', id };
  if (text.length > MAX_TEXT) return { ok: false, reason: 'text_too_long', id };
  const linkId = optionalShort(fields, 'linkId');
  const networkCode = optionalShort(fields, 'networkCode');
  if (linkId === false) return { ok: false, reason: 'bad_linkId', id };
  if (networkCode === false) return { ok: false, reason: 'bad_networkCode', id };
  const phone = parseKenyanMobile(from);
  if (!phone.ok) return { ok: false, reason: `from_${phone.problem}`, id };
  const dateText = field(fields, 'date');
  const date = dateText ? parseAtDate(dateText) : undefined;
  return {
    ok: true,
    value: {
      id,
      from: phone.phone,
      to,
      text,
      ...(date ? { date } : {}),
      ...(linkId ? { linkId } : {}),
      ...(networkCode ? { networkCode } : {}),
    },
  };
}

export function parseDeliveryReport(body: unknown): Parsed<DeliveryReportCallback> {
  const fields = asFields(body);
  if (!fields) return { ok: false, reason: 'not_a_form' };
  const id = field(fields, 'id')?.trim();
  if (!id || !ID_PATTERN.test(id)) return { ok: false, reason: 'bad_id' };
  const status = field(fields, 'status')?.trim();
  if (!status) return { ok: false, reason: 'missing_status', id };
  if (!isDeliveryStatus(status)) return { ok: false, reason: 'unknown_status', id };
  const failureReason = optionalShort(fields, 'failureReason');
  const networkCode = optionalShort(fields, 'networkCode');
  if (failureReason === false) return { ok: false, reason: 'bad_failureReason', id };
  if (networkCode === false) return { ok: false, reason: 'bad_networkCode', id };
  const retryText = field(fields, 'retryCount');
  const retryCount =
    retryText && /^\d{1,6}$/.test(retryText.trim()) ? Number(retryText) : undefined;
  return {
    ok: true,
    value: {
      id,
      status,
      ...(failureReason ? { failureReason } : {}),
      ...(networkCode ? { networkCode } : {}),
      ...(retryCount !== undefined ? { retryCount } : {}),
    },
  };
}

/**
 * AT has sent both ISO 8601 and "YYYY-MM-DD HH:mm:ss" (UTC) over the years; accept either.
 * A date that does not parse is dropped (the receipt time stands in), not a reason to refuse.
 */
export function parseAtDate(text: string): Date | undefined {
  const t = text.trim();
  const plain = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(t)
    ? `${t.replace(' ', 'T')}Z`
    : t;
  if (!/^\d{4}-\d{2}-\d{2}/.test(plain)) return undefined;
  const ms = Date.parse(plain);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
