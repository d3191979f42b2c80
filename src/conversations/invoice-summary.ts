import { say, type SayValue } from '../common/messaging/reply';
import type { InvoiceRecord } from '../invoices/invoice.record';
import type { InvoiceState } from '../machines/invoice.machine';

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

/** "sent, waiting for payment": how a merchant reads an invoice state, in their language. */
export function stateLabel(state: InvoiceState): SayValue {
  return { text: say(STATE_KEYS[state]) };
}

/** The customer's name, or their number when the merchant saved no name. */
export function invoiceCustomer(
  invoice: Pick<InvoiceRecord, 'customerName' | 'customerPhone'>,
): SayValue {
  return { customer: { name: invoice.customerName, phone: invoice.customerPhone } };
}
