import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/http/domain-error';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import { Clock } from '../runtime/clock';
import { MachineRunner } from '../runtime/machine-runner';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { queryRows } from '../database/sql';
import { parseStkCallback, type StkCallback } from './mpesa/daraja-result-codes';
import { lockPayment, type PaymentRow } from './payment.record';

export type ReviewDecision = 'accept' | 'reject';

/** What a rejected review leaves on the payment, for the timeline and the stats. */
export const REVIEW_REJECTED_OUTCOME = 'review_rejected';

/**
 * An operator settles a payment held for review: M-PESA confirmed another amount than we asked
 * for (PaymentResultsService), or a success whose CheckoutRequestID we never stored matches
 * several unanswered pushes (OrphanCallbackMatcher), or the attempt ended with a ResultCode we do
 * not know. Until then an open attempt holds its invoice in PAYMENT_INIT: it can be neither paid
 * again nor cancelled.
 *
 * - accept: the amount M-PESA reported counts, exactly as a callback for it would have (an orphan
 *   callback then belongs to this payment; accepting it for a second one is refused);
 * - reject: the attempt fails and the customer can pay again. Money already taken is returned
 *   outside the app (M-PESA reversal), which is why the note is required.
 *
 * One transaction: if the invoice does not take the event, the payment stays in review.
 */
@Injectable()
export class PaymentReviewService {
  private readonly logger = new Logger(PaymentReviewService.name);

  constructor(
    private readonly signals: RuntimeSignals,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
  ) {}

  settle(paymentId: string, decision: ReviewDecision, note: string, source: string) {
    return this.signals.transaction((manager) =>
      this.settleIn(manager, paymentId, decision, note, source),
    );
  }

  private async settleIn(
    manager: EntityManager,
    paymentId: string,
    decision: ReviewDecision,
    note: string,
    source: string,
  ): Promise<void> {
    const payment = await lockPayment(manager, paymentId);
    if (!payment) throw new NotFoundError('Payment');
    // An attempt that ended with an unknown M-PESA result is settled the same way, once the
    // operator has looked it up in the M-PESA portal.
    const unknownResult =
      payment.status === 'failed' &&
      payment.outcome === 'unknown' &&
      payment.review_decision === null;
    if (payment.status !== 'review' && !unknownResult) {
      throw new ConflictError(
        'not_in_review',
        payment.review_decision
          ? `Payment review was already settled (${payment.review_decision})`
          : `Payment is ${payment.status}: only a payment in review can be settled`,
        { status: payment.status },
      );
    }
    const paid = Number(payment.paid_amount ?? (unknownResult ? payment.amount : 0));
    if (decision === 'accept' && !(Number.isInteger(paid) && paid > 0)) {
      throw new ConflictError(
        'no_reported_amount',
        'M-PESA reported no usable amount for this payment: it can only be rejected',
      );
    }

    const now = this.clock.now();
    const accepted = decision === 'accept';
    // An orphan callback held against several payments: accepting one gives it that callback.
    const orphan = accepted ? await this.orphanCallback(manager, payment) : null;
    if (orphan) {
      const [taken] = await queryRows<{ id: string }>(
        manager,
        `SELECT id FROM payments
          WHERE id <> $1 AND (checkout_request_id = $2 OR ($3::text IS NOT NULL AND mpesa_receipt = $3))`,
        [payment.id, orphan.checkoutRequestId, orphan.mpesaReceipt ?? null],
      );
      if (taken) {
        throw new ConflictError(
          'callback_already_matched',
          'This M-PESA payment was already accepted for another payment: reject this one',
          { paymentId: taken.id },
        );
      }
    }
    await manager.query(
      `UPDATE payments SET status = $2, outcome = $3, review_decision = $4, review_note = $5,
              reviewed_at = $6, updated_at = $6,
              checkout_request_id = COALESCE($7, checkout_request_id),
              mpesa_receipt = COALESCE($8, mpesa_receipt),
              matched_by = CASE WHEN $7::text IS NULL THEN matched_by ELSE 'review' END
        WHERE id = $1`,
      [
        payment.id,
        accepted ? 'succeeded' : 'failed',
        accepted ? 'paid' : (payment.outcome ?? REVIEW_REJECTED_OUTCOME),
        accepted ? 'accepted' : 'rejected',
        note,
        now,
        orphan?.checkoutRequestId ?? null,
        orphan?.mpesaReceipt ?? null,
      ],
    );
    // A payment that had already failed before it was held (a timed-out push an orphan callback
    // may belong to): its invoice has heard of that failure, so a rejection tells it nothing.
    const failedBefore = payment.outcome !== null;
    if (accepted || !failedBefore) {
      const sent = await this.runner.send(
        INVOICE_MACHINE_KIND,
        payment.invoice_id,
        accepted
          ? {
              type: 'PAYMENT_CONFIRMED',
              paymentId: payment.id,
              amount: paid,
              receipt: orphan?.mpesaReceipt ?? payment.mpesa_receipt ?? `REVIEW-${payment.id}`,
            }
          : { type: 'PAYMENT_FAILED', paymentId: payment.id, outcome: REVIEW_REJECTED_OUTCOME },
        { manager, source, dedupeKey: `payment:${payment.id}:${failedBefore ? 'late' : 'final'}` },
      );
      if (!sent.accepted) {
        // Thrown inside the transaction: the payment update above is rolled back with it.
        throw new ConflictError(
          'invoice_moved_on',
          `The invoice did not take the decision (${sent.reason}); the payment stays in review`,
          'state' in sent ? { invoiceState: sent.state } : undefined,
        );
      }
    }
    this.logger.log({ paymentId: payment.id, decision, source }, 'payment review settled');
  }

  private async orphanCallback(
    manager: EntityManager,
    payment: PaymentRow,
  ): Promise<StkCallback | null> {
    if (payment.review_event_id === null) return null;
    const [event] = await queryRows<{ payload: unknown }>(
      manager,
      `SELECT payload FROM inbound_events WHERE id = $1`,
      [payment.review_event_id],
    );
    return event ? parseStkCallback(event.payload) : null;
  }
}
