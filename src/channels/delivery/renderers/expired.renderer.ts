import { t } from '../../../common/i18n/catalogue';
import { customerLabel, formatAmount } from '../../../common/i18n/format';
import type { InvoiceNoticeView, RenderedMessage } from './notice-view';
import { textNotice } from './text-notice';

/** Tells the customer the invoice can no longer be paid. */
export function renderExpiredToCustomer(view: InvoiceNoticeView): RenderedMessage {
  const text = t(view.locale, 'customer_invoice_expired', {
    merchant: view.merchantName,
    ref: view.ref,
  });
  return textNotice(view, 'customer', 'expired_notice', text);
}

export function renderExpiredToMerchant(view: InvoiceNoticeView): RenderedMessage {
  const text = t(view.locale, 'merchant_invoice_expired', {
    ref: view.ref,
    customer: customerLabel(view.customerName, view.customerPhone),
    paid: formatAmount(view.amountPaid),
    amount: formatAmount(view.amount),
  });
  return textNotice(view, 'merchant', 'merchant_notice', text);
}
