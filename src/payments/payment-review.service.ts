import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/http/domain-error';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import { Clock } from '../runtime/clock';
import { InboundEventRepository } from '../runtime/inbound-event.repository';
import { MachineRunner } from '../runtime/machine-runner';
import { parseStkCallback, type StkCallback } from './mpesa/daraja-result-codes';
import type { PaymentRow } from './payment.record';
import { PaymentRepository } from './payment.repository';

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
    private readonly payments: PaymentRepository,
    private readonly inboundEvents: InboundEventRepository,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
  ) {}

  /** In the caller's transaction: a refusal thrown here rolls back everything it wrote. */
  async settle(
    tx: EntityManager,
    paymentId: string,
    decision: ReviewDecision,
    note: string,
    source: string,
  ): Promise<void> {
    const payment = await this.payments.lockById(tx, paymentId);
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
    const orphan = accepted ? await this.orphanCallback(tx, payment) : null;
    if (orphan) {
      const taken = await this.payments.findOtherIdWithCallback(
        tx,
        payment.id,
        orphan.checkoutRequestId,
        orphan.mpesaReceipt ?? null,
      );
      if (taken) {
        throw new ConflictError(
          'callback_already_matched',
          'This M-PESA payment was already accepted for another payment: reject this one',
          { paymentId: taken },
        );
      }
    }
    await this.payments.recordReviewDecision(tx, payment.id, {
      status: accepted ? 'succeeded' : 'failed',
      outcome: accepted ? 'paid' : (payment.outcome ?? REVIEW_REJECTED_OUTCOME),
      decision: accepted ? 'accepted' : 'rejected',
      note,
      checkoutRequestId: orphan?.checkoutRequestId ?? null,
      receipt: orphan?.mpesaReceipt ?? null,
      at: now,
    });
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
        {
          manager: tx,
          source,
          dedupeKey: `payment:${payment.id}:${failedBefore ? 'late' : 'final'}`,
        },
      );
      if (!sent.accepted) {
        // Thrown inside the caller's transaction: the payment update above is rolled back with it.
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
    tx: EntityManager,
    payment: PaymentRow,
  ): Promise<StkCallback | null> {
    if (payment.review_event_id === null) return null;
    const payload = await this.inboundEvents.payloadOf(tx, payment.review_event_id);
    return payload === undefined ? null : parseStkCallback(payload);
  }
}
