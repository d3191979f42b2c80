import { t } from '../../../common/i18n/catalogue';
import type { InvoiceNoticeView, RenderedMessage } from './notice-view';
import { textNotice } from './text-notice';

/** Tells the customer they need not pay. */
export function renderCancelledToCustomer(view: InvoiceNoticeView): RenderedMessage {
  const text = t(view.locale, 'customer_invoice_cancelled', {
    merchant: view.merchantName,
    ref: view.ref,
  });
  return textNotice(view, 'customer', 'cancelled_notice', text);
}

export function renderCancelledToMerchant(view: InvoiceNoticeView): RenderedMessage {
  return textNotice(
    view,
    'merchant',
    'merchant_notice',
    t(view.locale, 'invoice_cancelled', { ref: view.ref }),
  );
}
