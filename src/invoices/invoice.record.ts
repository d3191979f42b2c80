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

export interface InvoiceRow {
  id: string;
  ref: string;
  merchant_id: string;
  customer_id: string;
  customer_phone: string;
  customer_name: string | null;
  amount: number;
  amount_paid: number;
  currency: 'KES';
  description: string;
  due_date: string | null;
  pay_token: string;
  state: InvoiceState;
  version: number;
  request_hash: string | null;
  created_at: Date;
  created_at_exact: string;
  sent_at: Date | null;
  paid_at: Date | null;
  cancelled_at: Date | null;
}

/** Columns of `invoices i JOIN customers c`. */
export const INVOICE_SELECT = `
  SELECT i.id, i.ref, i.merchant_id, i.customer_id, i.customer_phone, c.name AS customer_name,
         i.amount, i.amount_paid, i.currency, i.description, i.due_date::text AS due_date,
         i.pay_token, i.state, i.version, i.request_hash, i.created_at,
         to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact,
         i.sent_at, i.paid_at, i.cancelled_at
    FROM invoices i
    JOIN customers c ON c.id = i.customer_id`;

export function toInvoiceRecord(row: InvoiceRow): InvoiceRecord {
  const amount = Number(row.amount);
  const amountPaid = Number(row.amount_paid);
  return {
    id: row.id,
    ref: row.ref,
    merchantId: row.merchant_id,
    customerId: row.customer_id,
    customerPhone: row.customer_phone,
    customerName: row.customer_name,
    amount,
    amountPaid,
    balance: Math.max(0, amount - amountPaid),
    currency: row.currency,
    description: row.description,
    dueDate: row.due_date,
    payToken: row.pay_token,
    state: row.state,
    version: Number(row.version),
    createdAt: new Date(row.created_at),
    sentAt: row.sent_at ? new Date(row.sent_at) : null,
    paidAt: row.paid_at ? new Date(row.paid_at) : null,
    cancelledAt: row.cancelled_at ? new Date(row.cancelled_at) : null,
  };
}
