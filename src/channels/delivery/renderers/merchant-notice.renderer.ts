import type { Locale } from '../../../config/app-config';
import { t } from '../../../common/i18n/catalogue';
import { customerLabel, formatAmount } from '../../../common/i18n/format';
import type { InvoiceNoticeView, PaymentView, RenderedMessage } from './notice-view';
import { toGsm7 } from './sms-text';

/** Topics the invoice machine and the payments module send ('merchant.notify' payload.topic). */
export type MerchantTopic =
  'sent' | 'paid' | 'partially_paid' | 'payment_failed' | 'undelivered' | 'payment_review';

/** Wording for topics the shared catalogue does not have yet. */
const REVIEW_TEXT: Record<Locale, string> = {
  en: 'A payment for invoice {ref} needs a check: M-PESA reported a different amount. We are looking into it and will tell you.',
  sw: 'Malipo ya ankara {ref} yanahitaji kukaguliwa: M-PESA iliripoti kiasi tofauti. Tunalishughulikia na tutakujulisha.',
};

const REASON_KEYS = {
  cancelled: 'reason_cancelled',
  wrong_pin: 'reason_wrong_pin',
  insufficient_funds: 'reason_insufficient_funds',
  timeout: 'reason_timeout',
} as const;

/** The reason words of merchant_payment_failed, by M-PESA outcome. */
function reasonText(locale: Locale, outcome: string | null): string {
  const key =
    outcome !== null && Object.prototype.hasOwnProperty.call(REASON_KEYS, outcome)
      ? REASON_KEYS[outcome as keyof typeof REASON_KEYS]
      : 'reason_other';
  return t(locale, key);
}

/**
 * A notice to the merchant. Merchants write to the bot often, so their window is usually open
 * and the notice goes as WhatsApp text ('auto', SMS if WhatsApp fails); with the window closed
 * there is no approved template for these notices, so it goes straight by SMS.
 * Unknown topics give null (nothing to send).
 */
export function renderMerchantNotice(
  view: InvoiceNoticeView,
  topic: string,
  payment: PaymentView | null,
  channel?: string,
): RenderedMessage | null {
  const text = merchantText(view, topic, payment, channel);
  if (text === null) return null;
  return {
    to: view.merchantPhone,
    channel: view.merchantWindowOpen ? 'auto' : 'sms',
    purpose: 'merchant_notice',
    content: { type: 'text', body: text },
    smsText: toGsm7(text),
  };
}

function merchantText(
  view: InvoiceNoticeView,
  topic: string,
  payment: PaymentView | null,
  channel?: string,
): string | null {
  const customer = customerLabel(view.customerName, view.customerPhone);
  const { locale, ref } = view;
  switch (topic) {
    case 'paid':
      return t(locale, 'merchant_paid', {
        customer,
        ref,
        amount: formatAmount(payment?.amount ?? view.amountPaid),
        receipt: payment?.receipt ?? '-',
        balance: formatAmount(view.balance),
      });
    case 'partially_paid':
      return t(locale, 'merchant_partially_paid', {
        customer,
        ref,
        amount: formatAmount(payment?.amount ?? view.amountPaid),
        receipt: payment?.receipt ?? '-',
        balance: formatAmount(view.balance),
      });
    case 'payment_failed':
      return t(locale, 'merchant_payment_failed', {
        customer,
        ref,
        reason: reasonText(locale, payment?.outcome ?? null),
      });
    case 'sent':
      return t(locale, 'invoice_sent', {
        ref,
        customer,
        channel: t(locale, channel === 'sms' ? 'channel_sms' : 'channel_whatsapp'),
        amount: formatAmount(view.amount),
        description: view.description,
      });
    case 'undelivered':
      return t(locale, 'delivery_failed', { ref, customer });
    case 'payment_review':
      return REVIEW_TEXT[locale].replace('{ref}', ref);
    default:
      return null;
  }
}
