import { maskPhone } from '../../common/logging/redact';
import { transactionDate } from './daraja-sim-ids';
import type { SimPush, SimSettings } from './daraja-simulator.types';

const AMOUNT_PLACEHOLDER = '"__AMOUNT__"';

/**
 * The callback body exactly as PROTOCOLS.md §1 shows it: numbers for ResultCode, TransactionDate
 * and PhoneNumber, the empty Balance item, and Amount written `1500.00` or `1500` (JSON.stringify
 * cannot write `1500.00`, hence the placeholder).
 */
export function stkCallbackJson(
  push: SimPush,
  amountForm: SimSettings['amountForm'],
  at: Date = new Date(),
): string {
  const stkCallback: Record<string, unknown> = {
    MerchantRequestID: push.merchantRequestId,
    CheckoutRequestID: push.checkoutRequestId,
    ResultCode: push.resultCode,
    ResultDesc: push.resultDesc,
  };
  if (push.resultCode === 0) {
    const items: { Name: string; Value?: unknown }[] = [
      { Name: 'Amount', Value: '__AMOUNT__' },
      { Name: 'MpesaReceiptNumber', Value: push.receipt },
      { Name: 'Balance' },
      { Name: 'TransactionDate', Value: transactionDate(at) },
    ];
    if (push.plan.outcome !== 'masked_phone') {
      items.push({ Name: 'PhoneNumber', Value: Number(push.phone) });
    } else if (push.plan.phoneForm !== 'missing') {
      items.push({ Name: 'PhoneNumber', Value: maskPhone(push.phone) });
    }
    stkCallback.CallbackMetadata = { Item: items };
  }
  const amount = push.paidAmount ?? push.amount;
  const amountText = amountForm === 'decimal' ? amount.toFixed(2) : String(amount);
  return JSON.stringify({ Body: { stkCallback } }).replace(AMOUNT_PLACEHOLDER, amountText);
}
