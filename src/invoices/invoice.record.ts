import type { Locale } from '../config/app-config';
import type { InvoiceState } from '../machines/invoice.machine';

/** An invoice as other services need it (payments, pay page, bot). */
export interface InvoiceRecord {
  id: string;
  ref: string;
  merchantId: string;
  customerId: string;
  /** E.164. */
  customerPhone: string;
  customerName: string | null;
  amount: number;
  amountPaid: number;
  balance: number;
  currency: 'KES';
  description: string;
  /** YYYY-MM-DD. */
  dueDate: string | null;
  payToken: string;
  state: InvoiceState;
  /** Row version of the machine: bumps on each accepted event. */
  version: number;
  createdAt: Date;
  sentAt: Date | null;
  paidAt: Date | null;
  cancelledAt: Date | null;
}

/** What a payment attempt decides on, read under the invoice's row lock. */
export interface PayableInvoice {
  id: string;
  state: InvoiceState;
  amount: number;
  amountPaid: number;
  /** From the machine's context: pushes so far, the cap, and the push it waits on. */
  attempts: number | null;
  maxAttempts: number | null;
  pendingPaymentId: string | null;
}

/** What a payment result decides on, read under the invoice's row lock. */
export interface InvoiceBalance {
  state: InvoiceState;
  amount: number;
  amountPaid: number;
}

/** The invoice a customer writes to the bot about, with the merchant's name and language. */
export interface CustomerInvoiceView {
  id: string;
  ref: string;
  /** E.164. */
  customerPhone: string;
  state: InvoiceState;
  /** amount − amount_paid. */
  balance: number;
  merchantName: string;
  /** The merchant's language: customers are addressed in it. */
  locale: Locale;
  payToken: string;
}
