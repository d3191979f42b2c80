import { t } from '../../../common/i18n/catalogue';
import { formatAmount } from '../../../common/i18n/format';
import { type InvoiceNoticeView, payButtonId, type RenderedMessage } from './notice-view';
import { toGsm7 } from './sms-text';

/** What M-PESA said, in plain words for the customer. */
export function paymentFailedText(view: InvoiceNoticeView, outcome: string | null): string {
  const { locale, ref } = view;
  if (outcome === 'cancelled') return t(locale, 'pay_cancelled', { ref });
  if (outcome === 'wrong_pin') return t(locale, 'pay_wrong_pin', { ref });
  if (outcome === 'insufficient_funds')
    return t(locale, 'pay_insufficient_funds', { ref, amount: formatAmount(view.balance) });
  if (outcome === 'timeout') return t(locale, 'pay_timeout', { ref });
  return t(locale, 'pay_failed_other', { ref });
}

/**
 * The customer's failed payment with a "Try again" button (`pay:<ref>`). There is no approved
 * template for it, so outside the window it goes by SMS with "reply PAY <ref>".
 */
export function renderPaymentFailed(
  view: InvoiceNoticeView,
  outcome: string | null,
): RenderedMessage {
  const text = paymentFailedText(view, outcome);
  return {
    to: view.customerPhone,
    channel: view.customerWindowOpen ? 'auto' : 'sms',
    purpose: 'payment_failed',
    content: {
      type: 'buttons',
      body: text,
      buttons: [{ id: payButtonId(view.ref), title: t(view.locale, 'btn_try_again') }],
    },
    smsText: toGsm7(`${text} ${t(view.locale, 'sms_try_again', { ref: view.ref })}`),
  };
}
