import type { Locale } from '../../config/app-config';
import type { PaymentOutcome } from '../payment-provider.port';

/**
 * Daraja's final ResultCodes (callback and STK query) reduced to what the customer and the
 * invoice need to know. Pure: no Nest, no I/O.
 */
export function outcomeForResultCode(resultCode: number | null): PaymentOutcome {
  switch (resultCode) {
    case 0:
      return 'paid';
    case 1032:
      return 'cancelled';
    case 2001:
      return 'wrong_pin';
    case 1:
      return 'insufficient_funds';
    case 1037:
    case 1019:
      return 'timeout';
    case 2:
    case 3:
    case 4:
    case 8:
    case 17:
      return 'limit';
    case 26:
    case 1001:
      return 'busy';
    case 1025:
    case 9999:
    case 2028:
    case 8006:
      return 'other';
    case null:
    default:
      // Non-numeric (null) or undocumented: the attempt ends, and reconciliation shows it.
      return 'unknown';
  }
}

const CUSTOMER_TEXT: Record<PaymentOutcome, Record<Locale, string>> = {
  paid: {
    en: 'Payment received. Thank you!',
    sw: 'Malipo yamepokelewa. Asante sana!',
  },
  cancelled: {
    en: 'You cancelled the M-PESA prompt.',
    sw: 'Ulighairi ombi la M-PESA.',
  },
  wrong_pin: {
    en: 'The M-PESA PIN entered was wrong. Please try again.',
    sw: 'Umeweka PIN ya M-PESA isiyo sahihi. Tafadhali jaribu tena.',
  },
  insufficient_funds: {
    en: 'Your M-PESA balance is not enough for this payment.',
    sw: 'Salio lako la M-PESA halitoshi kulipia kiasi hiki.',
  },
  timeout: {
    en: 'The M-PESA prompt expired before it was answered. Make sure your phone is on and try again.',
    sw: 'Muda wa ombi la M-PESA uliisha kabla hujalijibu. Hakikisha simu yako imewashwa kisha ujaribu tena.',
  },
  limit: {
    en: 'M-PESA declined this payment because of a transaction limit. Try again later or pay a smaller amount.',
    sw: 'M-PESA imekataa malipo haya kwa sababu ya kikomo cha muamala. Jaribu tena baadaye au ulipe kiasi kidogo zaidi.',
  },
  busy: {
    en: 'M-PESA is busy right now. Please try again in a few minutes.',
    sw: 'M-PESA ina shughuli nyingi kwa sasa. Tafadhali jaribu tena baada ya dakika chache.',
  },
  other: {
    en: 'The M-PESA payment did not go through. Please try again.',
    sw: 'Malipo ya M-PESA hayakufanikiwa. Tafadhali jaribu tena.',
  },
  unknown: {
    en: 'M-PESA gave us no clear answer about this payment. If money left your account, you will get a receipt once we confirm it; if not, please try again.',
    sw: 'M-PESA haikutupa jibu wazi kuhusu malipo haya. Ikiwa pesa zimetoka kwenye akaunti yako, utapokea risiti tutakapothibitisha; la sivyo, tafadhali jaribu tena.',
  },
};

export function customerText(outcome: PaymentOutcome, locale: Locale): string {
  return CUSTOMER_TEXT[outcome][locale];
}

/** What an STK callback says, with CallbackMetadata items read by name. */
export interface StkCallback {
  merchantRequestId: string;
  checkoutRequestId: string;
  /** null when Daraja sent a non-numeric code (e.g. "SFC_IC0003"); rawResultCode keeps it. */
  resultCode: number | null;
  /** The code as text, exactly as it came (after trimming). */
  rawResultCode: string;
  resultDesc: string;
  amount?: number;
  mpesaReceipt?: string;
  /** YYYYMMDDHHmmss (Nairobi time), as Daraja sent it. */
  transactionDate?: string;
  /**
   * 2547…/2541… only when the callback carried a full number. Recent callbacks mask or omit it,
   * so a masked value is dropped rather than passed on looking like a phone number.
   */
  phone?: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** ResultCode is a number in callbacks and a string in queries; accept either, integers only. */
export function parseResultCode(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** PostgreSQL integer's bound, for result_code. */
const MAX_INT4 = 2_147_483_647;

/** Longest code text kept; real codes are a few characters. */
const MAX_RAW_CODE_CHARS = 40;

/**
 * A ResultCode as it may really come: an integer (number or numeric string), or a non-numeric
 * code such as "SFC_IC0003" (code null, raw kept). Undefined when there is no code at all.
 */
export function readResultCode(value: unknown): { code: number | null; raw: string } | undefined {
  const numeric = parseResultCode(value);
  if (numeric !== undefined && Math.abs(numeric) <= MAX_INT4) {
    return { code: numeric, raw: String(numeric) };
  }
  // A whole number no real code comes near (and no integer column holds): kept as text.
  if (numeric !== undefined)
    return { code: null, raw: String(value).trim().slice(0, MAX_RAW_CODE_CHARS) };
  if (typeof value !== 'string') return undefined;
  const raw = value.trim().slice(0, MAX_RAW_CODE_CHARS);
  if (raw === '' || !/^[\w.-]+$/.test(raw)) return undefined;
  return { code: null, raw };
}

function numberish(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** Digits of a number or string value; JSON numbers like 20191219102115 are exact in a double. */
function digits(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return value.trim();
  return undefined;
}

function metadataItems(callback: Json): Map<string, unknown> | null {
  const items = new Map<string, unknown>();
  if (callback.CallbackMetadata === undefined || callback.CallbackMetadata === null) return items;
  if (!isObject(callback.CallbackMetadata)) return null;
  const list = callback.CallbackMetadata.Item;
  if (list === undefined) return items;
  if (!Array.isArray(list)) return null;
  for (const item of list) {
    if (!isObject(item) || typeof item.Name !== 'string') continue;
    items.set(item.Name, item.Value);
  }
  return items;
}

/**
 * Reads `{"Body":{"stkCallback":{…}}}`. Returns null when the body is not an STK callback at all
 * (missing IDs, no usable ResultCode, metadata of the wrong shape): the caller records and ignores it.
 */
export function parseStkCallback(body: unknown): StkCallback | null {
  if (!isObject(body) || !isObject(body.Body)) return null;
  const callback = body.Body.stkCallback;
  if (!isObject(callback)) return null;
  const merchantRequestId = nonEmptyString(callback.MerchantRequestID);
  const checkoutRequestId = nonEmptyString(callback.CheckoutRequestID);
  const resultCode = readResultCode(callback.ResultCode);
  if (!merchantRequestId || !checkoutRequestId || resultCode === undefined) return null;
  const items = metadataItems(callback);
  if (!items) return null;

  const parsed: StkCallback = {
    merchantRequestId,
    checkoutRequestId,
    resultCode: resultCode.code,
    rawResultCode: resultCode.raw,
    resultDesc: typeof callback.ResultDesc === 'string' ? callback.ResultDesc : '',
  };
  const amount = numberish(items.get('Amount'));
  if (amount !== undefined) parsed.amount = amount;
  const receipt = nonEmptyString(items.get('MpesaReceiptNumber'));
  if (receipt !== undefined) parsed.mpesaReceipt = receipt;
  const date = digits(items.get('TransactionDate'));
  if (date !== undefined && date.length === 14) parsed.transactionDate = date;
  const phone = digits(items.get('PhoneNumber'));
  if (phone !== undefined && /^254[17]\d{8}$/.test(phone)) parsed.phone = phone;
  return parsed;
}
