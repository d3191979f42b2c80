import { t } from '../../../conversations/i18n/catalogue';
import { customerLabel, formatAmount } from '../../../conversations/i18n/format';
import type { InvoiceNoticeView, RenderedMessage } from './notice-view';
import { toGsm7 } from './sms-text';

/** Tells the customer the invoice can no longer be paid. No template exists: closed window → SMS. */
export function renderExpiredToCustomer(view: InvoiceNoticeView): RenderedMessage {
  const text = t(view.locale, 'customer_invoice_expired', {
    merchant: view.merchantName,
    ref: view.ref,
  });
  return {
    to: view.customerPhone,
    channel: view.customerWindowOpen ? 'auto' : 'sms',
    purpose: 'expired_notice',
    content: { type: 'text', body: text },
    smsText: toGsm7(text),
  };
}

export function renderExpiredToMerchant(view: InvoiceNoticeView): RenderedMessage {
  const text = t(view.locale, 'merchant_invoice_expired', {
    ref: view.ref,
    customer: customerLabel(view.customerName, view.customerPhone),
    paid: formatAmount(view.amountPaid),
    amount: formatAmount(view.amount),
  });
  return {
    to: view.merchantPhone,
    channel: view.merchantWindowOpen ? 'auto' : 'sms',
    purpose: 'merchant_notice',
    content: { type: 'text', body: text },
    smsText: toGsm7(text),
  };
}
