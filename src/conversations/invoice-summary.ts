import type { Locale } from '../config/app-config';
import type { InvoiceState } from '../machines/invoice.machine';
import type { InvoiceRecord } from '../invoices/invoice.record';
import { t } from '../common/i18n/catalogue';
import { customerLabel } from '../common/i18n/format';

const STATE_KEYS = {
  READY: 'state_ready',
  SENT: 'state_sent',
  PAYMENT_INIT: 'state_payment_pending',
  PARTIALLY_PAID: 'state_partially_paid',
  PAID: 'state_paid',
  FAILED: 'state_failed',
  CANCELLED: 'state_cancelled',
  EXPIRED: 'state_expired',
} as const satisfies Record<InvoiceState, string>;

/** "sent, waiting for payment": how a merchant reads an invoice state. */
export function stateLabel(locale: Locale, state: InvoiceState): string {
  return t(locale, STATE_KEYS[state]);
}

export function invoiceCustomer(invoice: Pick<InvoiceRecord, 'customerName' | 'customerPhone'>) {
  return customerLabel(invoice.customerName, invoice.customerPhone);
}
