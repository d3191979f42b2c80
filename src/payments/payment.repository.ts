import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import {
  PAYMENT_COLUMNS,
  type PaymentRow,
  type PaymentStatus,
  type PaymentView,
} from './payment.record';

/** A payment with the invoice fields an STK push sends to Daraja. */
export interface PaymentToPush extends PaymentRow {
  ref: string;
  description: string;
}

export interface NewPayment {
  invoiceId: string;
  attempt: number;
  /** E.164. */
  phone: string;
  amount: number;
  at: Date;
}

/** A final failure: outcome from the ResultCode, flaggedReason only for an unknown code. */
export interface PaymentFailure {
  outcome: string;
  resultCode: number | null;
  resultDesc: string;
  flaggedReason: string | null;
  at: Date;
}

export interface PaymentSuccess {
  resultDesc: string;
  /** null: a query-confirmed payment, no receipt yet (an earlier one is kept). */
  receipt: string | null;
  paidAmount: number;
  at: Date;
}

export interface AmountReview {
  resultCode: number | null;
  resultDesc: string;
  receipt: string | null;
  paidAmount: number | null;
  reason: string;
  at: Date;
}

export interface ReviewDecisionUpdate {
  status: 'succeeded' | 'failed';
  outcome: string;
  decision: 'accepted' | 'rejected';
  note: string;
  /** An orphan callback's ids, when accepting gives the payment that callback. */
  checkoutRequestId: string | null;
  receipt: string | null;
  at: Date;
}

export interface OrphanCandidateWindow {
  amount: number;
  /** push_started_at between these two, inclusive. */
  startedFrom: Date;
  startedTo: Date;
  /** When M-PESA says the money was paid: a later push to the same phone before it excludes. */
  paidAt: Date;
}

export interface OrphanReviewHold {
  eventId: string;
  paidAmount: number;
  reason: string;
  at: Date;
}

/** An initiating payment whose mpesa.stk_push outbox row died. */
export interface DeadPush {
  id: string;
  invoice_id: string;
  last_error: string | null;
}

/**
 * Every statement on `payments`. Updates that race (a second instance, a redelivery) are
 * guarded in their WHERE clause and say whether they changed the row.
 */
@Injectable()
export class PaymentRepository {
  async findById(tx: EntityManager, id: string): Promise<PaymentRow | null> {
    const [row] = await queryRows<PaymentRow>(
      tx,
      `SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** The payment, locked for the rest of the caller's transaction. */
  async lockById(tx: EntityManager, id: string): Promise<PaymentRow | null> {
    const [row] = await queryRows<PaymentRow>(
      tx,
      `SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1 FOR UPDATE`,
      [id],
    );
    return row ?? null;
  }

  /** A payment on one of this merchant's invoices, in its public shape. */
  async findViewForMerchant(
    tx: EntityManager,
    merchantId: string,
    id: string,
  ): Promise<PaymentView | null> {
    const [row] = await queryRows<PaymentRow & { ref: string }>(
      tx,
      `SELECT ${PAYMENT_COLUMNS}, i.ref FROM payments p JOIN invoices i ON i.id = p.invoice_id
        WHERE p.id = $1 AND i.merchant_id = $2`,
      [id, merchantId],
    );
    return row ? toPaymentView(row) : null;
  }

  async findToPush(tx: EntityManager, id: string): Promise<PaymentToPush | null> {
    const [row] = await queryRows<PaymentToPush>(
      tx,
      `SELECT ${PAYMENT_COLUMNS}, i.ref, i.description
         FROM payments p JOIN invoices i ON i.id = p.invoice_id
        WHERE p.id = $1`,
      [id],
    );
    return row ?? null;
  }

  async findStatus(tx: EntityManager, id: string): Promise<PaymentStatus | null> {
    const [row] = await queryRows<{ status: PaymentStatus }>(
      tx,
      `SELECT status FROM payments WHERE id = $1`,
      [id],
    );
    return row?.status ?? null;
  }

  /** The invoice's open (initiating or pending) payment. */
  async findOpenIdForInvoice(tx: EntityManager, invoiceId: string): Promise<string | null> {
    const [row] = await queryRows<{ id: string }>(
      tx,
      `SELECT id FROM payments WHERE invoice_id = $1 AND status IN ('initiating', 'pending')`,
      [invoiceId],
    );
    return row?.id ?? null;
  }

  async findOpenIdForInvoiceRef(tx: EntityManager, invoiceRef: string): Promise<string | null> {
    const [row] = await queryRows<{ id: string }>(
      tx,
      `SELECT p.id FROM payments p JOIN invoices i ON i.id = p.invoice_id
        WHERE i.ref = $1 AND p.status IN ('initiating', 'pending')`,
      [invoiceRef],
    );
    return row?.id ?? null;
  }

  async findIdByCheckoutRequestId(
    tx: EntityManager,
    checkoutRequestId: string,
  ): Promise<string | null> {
    const [row] = await queryRows<{ id: string }>(
      tx,
      `SELECT id FROM payments WHERE checkout_request_id = $1`,
      [checkoutRequestId],
    );
    return row?.id ?? null;
  }

  /** Another payment this M-PESA receipt was credited to already. */
  async findOtherIdWithReceipt(
    tx: EntityManager,
    receipt: string,
    exceptId: string,
  ): Promise<string | null> {
    const [row] = await queryRows<{ id: string }>(
      tx,
      `SELECT id FROM payments WHERE mpesa_receipt = $1 AND id <> $2`,
      [receipt, exceptId],
    );
    return row?.id ?? null;
  }

  /** Another payment that already holds this callback (its CheckoutRequestID or its receipt). */
  async findOtherIdWithCallback(
    tx: EntityManager,
    exceptId: string,
    checkoutRequestId: string,
    receipt: string | null,
  ): Promise<string | null> {
    const [row] = await queryRows<{ id: string }>(
      tx,
      `SELECT id FROM payments
        WHERE id <> $1 AND (checkout_request_id = $2 OR ($3::text IS NOT NULL AND mpesa_receipt = $3))`,
      [exceptId, checkoutRequestId, receipt],
    );
    return row?.id ?? null;
  }

  /**
   * Started pushes without a stored CheckoutRequestID that a success for this amount, paid at
   * this time, may belong to; locked, oldest push first.
   */
  lockOrphanCandidates(tx: EntityManager, window: OrphanCandidateWindow): Promise<PaymentRow[]> {
    return queryRows<PaymentRow>(
      tx,
      // A later push to the same phone that was not refused means M-PESA had closed this
      // one's prompt before it (one prompt per subscriber at a time): a payment made after
      // that later push started cannot be for this one.
      `SELECT ${PAYMENT_COLUMNS} FROM payments p
        WHERE p.checkout_request_id IS NULL AND p.push_started_at IS NOT NULL
          AND p.amount = $1 AND p.push_started_at BETWEEN $2 AND $3
          AND (p.status IN ('initiating', 'pending')
               OR (p.status = 'failed' AND p.outcome = 'timeout'))
          AND NOT EXISTS (
            SELECT 1 FROM payments later
             WHERE later.phone = p.phone AND later.id <> p.id
               AND later.push_started_at > p.push_started_at
               AND later.push_started_at <= $4)
        ORDER BY p.push_started_at, p.id
        FOR UPDATE OF p`,
      [window.amount, window.startedFrom, window.startedTo, window.paidAt],
    );
  }

  /** Initiating payments whose push outbox row (of `pushKind`) is dead: they never reached Daraja. */
  findInitiatingWithDeadPush(tx: EntityManager, pushKind: string): Promise<DeadPush[]> {
    return queryRows<DeadPush>(
      tx,
      `SELECT p.id, p.invoice_id, o.last_error
         FROM payments p
         JOIN outbox o ON o.kind = $1 AND o.status = 'dead' AND o.payload->>'paymentId' = p.id::text
        WHERE p.status = 'initiating'
        LIMIT 100`,
      [pushKind],
    );
  }

  /**
   * Serialises "store the push's CheckoutRequestID" with "a callback for it arrives": whichever
   * commits second sees the other, so an early callback is never left unapplied.
   */
  async lockCheckout(tx: EntityManager, checkoutRequestId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
      `mpesa:checkout:${checkoutRequestId}`,
    ]);
  }

  async insertInitiating(tx: EntityManager, payment: NewPayment): Promise<string> {
    const [row] = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO payments (invoice_id, attempt, phone, amount, status, initiated_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'initiating', $5, $5, $5) RETURNING id`,
      [payment.invoiceId, payment.attempt, payment.phone, payment.amount, payment.at],
    );
    return row.id;
  }

  /** Committed before the HTTP call; false when another run has started it meanwhile. */
  async markPushStarted(tx: EntityManager, id: string, at: Date): Promise<boolean> {
    const updated = await queryRows<{ id: string }>(
      tx,
      `UPDATE payments SET push_started_at = $2, updated_at = $2
        WHERE id = $1 AND status = 'initiating' AND push_started_at IS NULL RETURNING id`,
      [id, at],
    );
    return updated.length > 0;
  }

  /** Daraja refused the push before it reached M-PESA: the next run pushes afresh. */
  async markPushNotStarted(
    tx: EntityManager,
    id: string,
    resultDesc: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE payments SET push_started_at = NULL, result_desc = $2, updated_at = $3
        WHERE id = $1 AND status = 'initiating'`,
      [id, resultDesc, at],
    );
  }

  /** Refused for good before it reached M-PESA: no prompt ever existed, so not started either. */
  async failRefusedPush(
    tx: EntityManager,
    id: string,
    resultDesc: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE payments SET status = 'failed', outcome = 'rejected', result_desc = $2,
              push_started_at = NULL, completed_at = $3, updated_at = $3
        WHERE id = $1 AND status = 'initiating'`,
      [id, resultDesc, at],
    );
  }

  /** A push whose outbox row died; false when the payment had moved on meanwhile. */
  async failDeadPush(
    tx: EntityManager,
    id: string,
    resultDesc: string,
    at: Date,
  ): Promise<boolean> {
    const updated = await queryRows<{ id: string }>(
      tx,
      `UPDATE payments SET status = 'failed', outcome = 'rejected', result_desc = $2,
              completed_at = $3, updated_at = $3
        WHERE id = $1 AND status = 'initiating' RETURNING id`,
      [id, resultDesc, at],
    );
    return updated.length > 0;
  }

  /** Daraja's answer to the push; false when one was stored already (or the payment ended). */
  async storeCheckout(
    tx: EntityManager,
    id: string,
    checkout: { merchantRequestId: string; checkoutRequestId: string },
    at: Date,
  ): Promise<boolean> {
    const updated = await queryRows<{ id: string }>(
      tx,
      `UPDATE payments SET status = 'pending', merchant_request_id = $2, checkout_request_id = $3,
              matched_by = 'checkout_request_id', updated_at = $4
        WHERE id = $1 AND status IN ('initiating', 'pending') AND checkout_request_id IS NULL
        RETURNING id`,
      [id, checkout.merchantRequestId, checkout.checkoutRequestId, at],
    );
    return updated.length > 0;
  }

  /** The push may be on the phone but its answer is unknown; false when no longer initiating. */
  async markPushAmbiguous(
    tx: EntityManager,
    id: string,
    resultDesc: string,
    at: Date,
  ): Promise<boolean> {
    const updated = await queryRows<{ id: string }>(
      tx,
      `UPDATE payments SET status = 'pending', result_desc = $2, updated_at = $3
        WHERE id = $1 AND status = 'initiating' RETURNING id`,
      [id, resultDesc, at],
    );
    return updated.length > 0;
  }

  async countQueryAttempt(tx: EntityManager, id: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE payments SET query_attempts = query_attempts + 1, updated_at = $2 WHERE id = $1`,
      [id, at],
    );
  }

  async markFailed(tx: EntityManager, id: string, failure: PaymentFailure): Promise<void> {
    await tx.query(
      `UPDATE payments SET status = 'failed', outcome = $2, result_code = $3, result_desc = $4,
              flagged_reason = COALESCE($5, flagged_reason), completed_at = $6, updated_at = $6
        WHERE id = $1`,
      [
        id,
        failure.outcome,
        failure.resultCode,
        failure.resultDesc,
        failure.flaggedReason,
        failure.at,
      ],
    );
  }

  async markSucceeded(tx: EntityManager, id: string, success: PaymentSuccess): Promise<void> {
    await tx.query(
      `UPDATE payments SET status = 'succeeded', outcome = 'paid', result_code = 0, result_desc = $2,
              mpesa_receipt = COALESCE($3, mpesa_receipt), paid_amount = $4,
              matched_by = COALESCE(matched_by, 'checkout_request_id'),
              completed_at = $5, updated_at = $5
        WHERE id = $1`,
      [id, success.resultDesc, success.receipt, success.paidAmount, success.at],
    );
  }

  async flagOverpaid(
    tx: EntityManager,
    id: string,
    overpaid: number,
    reason: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE payments SET overpaid_amount = $2, flagged_reason = $3, updated_at = $4 WHERE id = $1`,
      [id, overpaid, reason, at],
    );
  }

  async holdForAmountReview(tx: EntityManager, id: string, review: AmountReview): Promise<void> {
    await tx.query(
      `UPDATE payments SET status = 'review', result_code = $2, result_desc = $3, mpesa_receipt = $4,
              paid_amount = $5, flagged_reason = $6, completed_at = $7, updated_at = $7
        WHERE id = $1`,
      [
        id,
        review.resultCode,
        review.resultDesc,
        review.receipt,
        review.paidAmount,
        review.reason,
        review.at,
      ],
    );
  }

  /** Flags a payment unless it is flagged already (the first reason stays). */
  async flagIfUnflagged(tx: EntityManager, id: string, reason: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE payments SET flagged_reason = $2, updated_at = $3 WHERE id = $1 AND flagged_reason IS NULL`,
      [id, reason, at],
    );
  }

  async setReceiptIfMissing(
    tx: EntityManager,
    id: string,
    receipt: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE payments SET mpesa_receipt = $2, updated_at = $3 WHERE id = $1 AND mpesa_receipt IS NULL`,
      [id, receipt, at],
    );
  }

  async recordReviewDecision(
    tx: EntityManager,
    id: string,
    review: ReviewDecisionUpdate,
  ): Promise<void> {
    await tx.query(
      `UPDATE payments SET status = $2, outcome = $3, review_decision = $4, review_note = $5,
              reviewed_at = $6, updated_at = $6,
              checkout_request_id = COALESCE($7, checkout_request_id),
              mpesa_receipt = COALESCE($8, mpesa_receipt),
              matched_by = CASE WHEN $7::text IS NULL THEN matched_by ELSE 'review' END
        WHERE id = $1`,
      [
        id,
        review.status,
        review.outcome,
        review.decision,
        review.note,
        review.at,
        review.checkoutRequestId,
        review.receipt,
      ],
    );
  }

  /** An orphan callback matched to this push by amount and time: it gets the callback's ids. */
  async attachOrphanCheckout(
    tx: EntityManager,
    id: string,
    checkout: { checkoutRequestId: string; merchantRequestId: string },
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE payments SET checkout_request_id = $2,
              merchant_request_id = COALESCE(merchant_request_id, $3),
              matched_by = 'amount_and_time', updated_at = $4
        WHERE id = $1`,
      [id, checkout.checkoutRequestId, checkout.merchantRequestId, at],
    );
  }

  /** One of several pushes an orphan callback may belong to: held for an operator. */
  async holdForOrphanReview(tx: EntityManager, id: string, hold: OrphanReviewHold): Promise<void> {
    await tx.query(
      `UPDATE payments SET status = 'review', review_event_id = $2, paid_amount = $3,
              flagged_reason = $4, completed_at = COALESCE(completed_at, $5), updated_at = $5
        WHERE id = $1`,
      [id, hold.eventId, hold.paidAmount, hold.reason, hold.at],
    );
  }
}

function toPaymentView(row: PaymentRow & { ref: string }): PaymentView {
  return {
    id: row.id,
    invoiceRef: row.ref,
    attempt: Number(row.attempt),
    status: row.status,
    amount: Number(row.amount),
    outcome: row.outcome,
    resultCode: row.result_code === null ? null : Number(row.result_code),
    checkoutRequestId: row.checkout_request_id,
    mpesaReceipt: row.mpesa_receipt,
  };
}
