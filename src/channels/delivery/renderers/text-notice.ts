import type { InvoiceNoticeView, RenderedMessage } from './notice-view';
import { toGsm7 } from './sms-text';

/**
 * A plain-text notice to the invoice's customer or merchant. No template exists for these, so
 * outside the person's 24-hour WhatsApp window it goes straight by SMS.
 */
export function textNotice(
  view: InvoiceNoticeView,
  to: 'customer' | 'merchant',
  purpose: string,
  text: string,
): RenderedMessage {
  const customer = to === 'customer';
  const windowOpen = customer ? view.customerWindowOpen : view.merchantWindowOpen;
  return {
    to: customer ? view.customerPhone : view.merchantPhone,
    channel: windowOpen ? 'auto' : 'sms',
    purpose,
    content: { type: 'text', body: text },
    smsText: toGsm7(text),
  };
}
