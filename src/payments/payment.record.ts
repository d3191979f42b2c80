/** initiating: push not answered yet · pending: prompt on the phone · review: an operator decides. */
export type PaymentStatus = 'initiating' | 'pending' | 'succeeded' | 'failed' | 'review';

/** The payments row as raw SQL returns it; the money path works on it as it is. */
export interface PaymentRow {
  id: string;
  invoice_id: string;
  attempt: number;
  phone: string;
  amount: number;
  merchant_request_id: string | null;
  checkout_request_id: string | null;
  status: PaymentStatus;
  outcome: string | null;
  result_code: number | null;
  result_desc: string | null;
  mpesa_receipt: string | null;
  paid_amount: number | null;
  flagged_reason: string | null;
  review_decision: 'accepted' | 'rejected' | null;
  review_note: string | null;
  reviewed_at: Date | null;
  query_attempts: number;
  initiated_at: Date;
  completed_at: Date | null;
  /** Committed right before the HTTP call to Daraja; null: the push never started. */
  push_started_at: Date | null;
  matched_by: PaymentMatch | null;
  /** An orphan callback held for review against several payments (inbound_events.id). */
  review_event_id: string | null;
  /** Money taken beyond what the invoice still owed: to be refunded. */
  overpaid_amount: number | null;
}

export type PaymentMatch = 'checkout_request_id' | 'amount_and_time' | 'review';

/**
 * The select list of a PaymentRow (table alias `p`), for PaymentRepository and for read models
 * that show payment rows as they are (the admin timeline).
 */
export const PAYMENT_COLUMNS = `p.id, p.invoice_id, p.attempt, p.phone, p.amount, p.merchant_request_id,
  p.checkout_request_id, p.status, p.outcome, p.result_code, p.result_desc, p.mpesa_receipt,
  p.paid_amount, p.flagged_reason, p.review_decision, p.review_note, p.reviewed_at,
  p.query_attempts, p.initiated_at, p.completed_at, p.push_started_at, p.matched_by,
  p.review_event_id, p.overpaid_amount`;

export const OPEN_STATUSES: readonly PaymentStatus[] = ['initiating', 'pending'];

export function isOpen(status: PaymentStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** A payment in the shape the merchant API shows it. */
export interface PaymentView {
  id: string;
  invoiceRef: string;
  attempt: number;
  status: PaymentStatus;
  amount: number;
  outcome: string | null;
  resultCode: number | null;
  checkoutRequestId: string | null;
  mpesaReceipt: string | null;
}
