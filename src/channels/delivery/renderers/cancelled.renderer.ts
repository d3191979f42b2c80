import { t } from '../../../conversations/i18n/catalogue';
import type { InvoiceNoticeView, RenderedMessage } from './notice-view';
import { toGsm7 } from './sms-text';

/** Tells the customer they need not pay. No template exists: closed window → SMS. */
export function renderCancelledToCustomer(view: InvoiceNoticeView): RenderedMessage {
  const text = t(view.locale, 'customer_invoice_cancelled', {
    merchant: view.merchantName,
    ref: view.ref,
  });
  return {
    to: view.customerPhone,
    channel: view.customerWindowOpen ? 'auto' : 'sms',
    purpose: 'cancelled_notice',
    content: { type: 'text', body: text },
    smsText: toGsm7(text),
  };
}

export function renderCancelledToMerchant(view: InvoiceNoticeView): RenderedMessage {
  const text = t(view.locale, 'invoice_cancelled', { ref: view.ref });
  return {
    to: view.merchantPhone,
    channel: view.merchantWindowOpen ? 'auto' : 'sms',
    purpose: 'merchant_notice',
    content: { type: 'text', body: text },
    smsText: toGsm7(text),
  };
}
