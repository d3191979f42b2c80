import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/http/domain-error';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import { Clock } from '../runtime/clock';
import { MachineRunner } from '../runtime/machine-runner';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { lockPayment } from './payment.record';

export type ReviewDecision = 'accept' | 'reject';

/** What a rejected review leaves on the payment, for the timeline and the stats. */
export const REVIEW_REJECTED_OUTCOME = 'review_rejected';

/**
 * An operator settles a payment held for review (M-PESA confirmed another amount than we asked
 * for; see PaymentResultsService). Until then the invoice waits in PAYMENT_INIT: it can be
 * neither paid again nor cancelled.
 *
 * - accept: the amount M-PESA reported counts, exactly as a callback for it would have;
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
    if (payment.status !== 'review') {
      throw new ConflictError(
        'not_in_review',
        payment.review_decision
          ? `Payment review was already settled (${payment.review_decision})`
          : `Payment is ${payment.status}: only a payment in review can be settled`,
        { status: payment.status },
      );
    }
    const paid = Number(payment.paid_amount ?? 0);
    if (decision === 'accept' && !(Number.isInteger(paid) && paid > 0)) {
      throw new ConflictError(
        'no_reported_amount',
        'M-PESA reported no usable amount for this payment: it can only be rejected',
      );
    }

    const now = this.clock.now();
    const accepted = decision === 'accept';
    await manager.query(
      `UPDATE payments SET status = $2, outcome = $3, review_decision = $4, review_note = $5,
              reviewed_at = $6, updated_at = $6
        WHERE id = $1`,
      [
        payment.id,
        accepted ? 'succeeded' : 'failed',
        accepted ? 'paid' : REVIEW_REJECTED_OUTCOME,
        accepted ? 'accepted' : 'rejected',
        note,
        now,
      ],
    );
    const sent = await this.runner.send(
      INVOICE_MACHINE_KIND,
      payment.invoice_id,
      accepted
        ? {
            type: 'PAYMENT_CONFIRMED',
            paymentId: payment.id,
            amount: paid,
            receipt: payment.mpesa_receipt ?? `REVIEW-${payment.id}`,
          }
        : { type: 'PAYMENT_FAILED', paymentId: payment.id, outcome: REVIEW_REJECTED_OUTCOME },
      { manager, source, dedupeKey: `payment:${payment.id}:final` },
    );
    if (!sent.accepted) {
      // Thrown inside the transaction: the payment update above is rolled back with it.
      throw new ConflictError(
        'invoice_moved_on',
        `The invoice did not take the decision (${sent.reason}); the payment stays in review`,
        'state' in sent ? { invoiceState: sent.state } : undefined,
      );
    }
    this.logger.log({ paymentId: payment.id, decision, source }, 'payment review settled');
  }
}
