import { t } from '../../../common/i18n/catalogue';
import { customerLabel, formatAmount } from '../../../common/i18n/format';
import type { MessageContent } from '../../../common/messaging/channel.port';
import { text } from './catalogue-text';
import { type InvoiceNoticeView, payButtonId, type RenderedMessage } from './notice-view';
import { fitOneSegment } from './sms-text';

/**
 * The invoice to the customer. Inside the 24-hour window: the full text with the pay link and
 * a "Pay with M-PESA" reply button. Outside (or unknown): only an approved template can go,
 * `invoice_new` (or `invoice_reminder` for a reminder) with its quick-reply payload
 * `pay:<ref>`. The SMS wording fits one GSM-7 segment where possible.
 */
export function renderInvoice(
  view: InvoiceNoticeView,
  options: { reminder?: boolean } = {},
): RenderedMessage {
  return {
    to: view.customerPhone,
    channel: 'auto',
    purpose: options.reminder ? 'reminder' : 'invoice',
    content: view.customerWindowOpen
      ? interactiveInvoice(view)
      : invoiceTemplate(view, options.reminder ?? false),
    smsText: invoiceSms(view),
  };
}

function interactiveInvoice(view: InvoiceNoticeView): MessageContent {
  return {
    type: 'buttons',
    body: text(view.locale, 'customer_invoice', {
      merchant: view.merchantName,
      ref: view.ref,
      description: view.description,
      amount: formatAmount(view.amount),
      balance: formatAmount(view.balance),
      link: view.payUrl,
    }),
    buttons: [{ id: payButtonId(view.ref), title: t(view.locale, 'btn_pay') }],
  };
}

function invoiceTemplate(view: InvoiceNoticeView, reminder: boolean): MessageContent {
  const customer = templateParam(customerLabel(view.customerName, view.customerPhone));
  const due = formatAmount(view.balance);
  return reminder
    ? {
        type: 'template',
        name: 'invoice_reminder',
        language: view.locale,
        bodyParameters: [customer, due, view.ref],
        quickReplyPayloads: [payButtonId(view.ref)],
      }
    : {
        type: 'template',
        name: 'invoice_new',
        language: view.locale,
        bodyParameters: [customer, templateParam(view.merchantName), due, view.ref],
        quickReplyPayloads: [payButtonId(view.ref)],
      };
}

export function invoiceSms(view: InvoiceNoticeView): string {
  return fitOneSegment(
    (merchant) =>
      t(view.locale, 'sms_invoice', {
        merchant,
        ref: view.ref,
        amount: formatAmount(view.balance),
        link: view.payUrl,
      }),
    view.merchantName,
  );
}

/** Meta refuses template parameters with line breaks, tabs or runs of 5+ spaces (132018). */
export function templateParam(value: string): string {
  const cleaned = value
    .replace(/[\n\t]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return cleaned === '' ? '-' : cleaned;
}
