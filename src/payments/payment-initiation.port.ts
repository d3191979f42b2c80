import type { EntityManager } from 'typeorm';

/**
 * How the bot and the pay page start an M-PESA payment for a customer. Implemented by the
 * payments module; the caller has already decided the customer may pay (their own number, a
 * valid pay token, or a merchant's API key).
 */
export interface InitiatePaymentRequest {
  invoiceRef: string;
  /** E.164 phone that receives the STK prompt. */
  phone: string;
  /** Whole shillings; defaults to the balance. Never more than the balance. */
  amount?: number;
  /** Audit source, e.g. "whatsapp:customer", "pay-page", "api:merchant". */
  source: string;
}

export type InitiatePaymentResult =
  | { status: 'started'; paymentId: string; amount: number }
  | {
      status: 'refused';
      reason:
        | 'paid'
        | 'cancelled'
        | 'expired'
        | 'pending'
        | 'attempts_exhausted'
        | 'amount_invalid'
        | 'not_found';
      pendingPaymentId?: string;
    };

export interface PaymentInitiator {
  /** Joins the caller's transaction: the push is queued when it commits. */
  initiate(tx: EntityManager, request: InitiatePaymentRequest): Promise<InitiatePaymentResult>;
}

export const PAYMENT_INITIATOR = Symbol('PAYMENT_INITIATOR');
