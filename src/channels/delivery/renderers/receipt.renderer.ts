import { t } from '../../../common/i18n/catalogue';
import { formatAmount } from '../../../common/i18n/format';
import type { MessageContent } from '../../../common/messaging/channel.port';
import { text } from './catalogue-text';
import { templateParam } from './invoice.renderer';
import {
  type InvoiceNoticeView,
  payButtonId,
  type PaymentView,
  type RenderedMessage,
} from './notice-view';
import { toGsm7 } from './sms-text';

/**
 * The customer's receipt. Inside the window the full text (a part payment also offers the Pay
 * button for the rest); outside, the approved `payment_receipt` template.
 */
export function renderReceipt(
  view: InvoiceNoticeView,
  payment: PaymentView,
  partial: boolean,
): RenderedMessage {
  const params = {
    merchant: view.merchantName,
    ref: view.ref,
    amount: formatAmount(payment.amount),
    receipt: payment.receipt ?? '-',
    balance: formatAmount(view.balance),
  };
  const body = text(view.locale, partial ? 'customer_receipt_partial' : 'customer_receipt', params);
  let content: MessageContent;
  if (!view.customerWindowOpen)
    content = {
      type: 'template',
      name: 'payment_receipt',
      language: view.locale,
      bodyParameters: [
        formatAmount(payment.amount),
        view.ref,
        templateParam(payment.receipt ?? '-'),
      ],
    };
  else if (partial && view.balance > 0)
    content = {
      type: 'buttons',
      body,
      buttons: [{ id: payButtonId(view.ref), title: t(view.locale, 'btn_pay') }],
    };
  else content = { type: 'text', body };
  return {
    to: view.customerPhone,
    channel: 'auto',
    purpose: 'receipt',
    content,
    smsText: toGsm7(body),
  };
}

/**
 * The PDF receipt as a WhatsApp document, by link (WhatsApp fetches it from the pay page).
 * Only inside the 24-hour window: outside it only templates may be sent, and the
 * payment_receipt template already carries the receipt number. Never by SMS.
 */
export function renderReceiptDocument(view: InvoiceNoticeView): RenderedMessage | null {
  if (!view.customerWindowOpen) return null;
  return {
    to: view.customerPhone,
    channel: 'whatsapp',
    purpose: 'receipt_pdf',
    content: {
      type: 'document',
      link: `${view.payUrl}/receipt.pdf`,
      filename: `receipt-${view.ref}.pdf`,
      caption: view.locale === 'sw' ? `Risiti ya ${view.ref}` : `Receipt for ${view.ref}`,
    },
    // Pinned to WhatsApp: never sent; required by the shape.
    smsText: `${view.payUrl}/receipt.pdf`,
  };
}
