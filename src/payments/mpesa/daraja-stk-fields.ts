import type { MpesaConfig } from '../../config/app-config';
import { isValidAmount, MAX_AMOUNT, MIN_AMOUNT } from '../../common/money';
import { parseKenyanMobile, toDarajaMsisdn } from '../../common/phone';
import type { StkPushRequest } from '../payment-provider.port';

export const ACCOUNT_REFERENCE_MAX = 12;
export const TRANSACTION_DESC_MAX = 13;

/**
 * Daraja documents AccountReference as alphanumeric, at most 12 characters. Whether it tolerates
 * the dash of "INV-7K3Q" is not documented, and a refusal would cost a payment, so the dash (and
 * anything else not alphanumeric) is dropped: the customer sees "INV7K3Q" on the prompt. Nothing
 * correlates on this field (Daraja does not echo it; we match on CheckoutRequestID).
 */
export function toAccountReference(invoiceRef: string): string {
  const cleaned = invoiceRef.replace(/[^A-Za-z0-9]/g, '').slice(0, ACCOUNT_REFERENCE_MAX);
  return cleaned === '' ? 'INVOICE' : cleaned;
}

/**
 * At most 13 characters; letters, digits and single spaces only, so nothing odd reaches the
 * prompt. A long text is cut at a word boundary when that keeps most of it ("Logo design", not
 * "Logo design b").
 */
export function toTransactionDesc(description: string): string {
  const cleaned = description
    .replace(/[^A-Za-z0-9 ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned === '') return 'Payment';
  if (cleaned.length <= TRANSACTION_DESC_MAX) return cleaned;
  const head = cleaned.slice(0, TRANSACTION_DESC_MAX);
  if (cleaned[TRANSACTION_DESC_MAX] === ' ') return head;
  const lastSpace = head.lastIndexOf(' ');
  return lastSpace >= 6 ? head.slice(0, lastSpace) : head;
}

export interface StkPushFields {
  msisdn: string;
  amount: number;
  accountReference: string;
  transactionDesc: string;
}

export type StkFieldsCheck =
  { ok: true; fields: StkPushFields } | { ok: false; code: string; message: string };

/** Refuses what Daraja would refuse, before any HTTP call, so a bad request never costs a token or a prompt. */
export function checkStkPush(request: StkPushRequest, mpesa: MpesaConfig): StkFieldsCheck {
  if (!/^\d{5,7}$/.test(mpesa.shortcode) || !/^\d{5,7}$/.test(mpesa.partyB) || !mpesa.passkey) {
    return {
      ok: false,
      code: 'not_configured',
      message: 'M-PESA shortcode/passkey not configured',
    };
  }
  const phone = parseKenyanMobile(request.phone);
  if (!phone.ok) {
    return { ok: false, code: 'invalid_phone', message: `Not a Kenyan mobile (${phone.problem})` };
  }
  if (!isValidAmount(request.amount)) {
    return {
      ok: false,
      code: 'invalid_amount',
      message: `Amount must be a whole number of shillings, ${MIN_AMOUNT} to ${MAX_AMOUNT}`,
    };
  }
  return {
    ok: true,
    fields: {
      msisdn: toDarajaMsisdn(phone.phone),
      amount: request.amount,
      accountReference: toAccountReference(request.accountReference),
      transactionDesc: toTransactionDesc(request.description),
    },
  };
}
