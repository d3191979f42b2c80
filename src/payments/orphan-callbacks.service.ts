import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MAX_AMOUNT } from '../common/money';
import { Clock } from '../runtime/clock';
import { InboundEventRepository } from '../runtime/inbound-event.repository';
import { parseStkCallback, type StkCallback } from './mpesa/daraja-result-codes';
import { PaymentResultsService, toFinalResult } from './payment-results.service';
import { AMBIGUOUS_TIMEOUT_MS } from './payment-polling.constants';
import type { PaymentRow } from './payment.record';
import { PaymentRepository } from './payment.repository';

/** How long a prompt can stay open on the phone: a push older than this cannot be paid now. */
export const PROMPT_WINDOW_MS = AMBIGUOUS_TIMEOUT_MS;
/** Tolerance between our clock and M-PESA's TransactionDate, both ways. */
export const MATCH_CLOCK_SKEW_MS = 120_000;

export type OrphanMatch = 'matched' | 'review' | 'none';

const SOURCE = 'webhook:mpesa:matched';

/**
 * Matches a success callback whose CheckoutRequestID we never stored (the process died between
 * the push and storing its answer, or the answer was lost) to the push it most likely belongs to:
 * a started push without an answer, for the same amount, started within the prompt window before
 * M-PESA's TransactionDate and not followed by another push to its phone before then, to the same
 * phone where the callback shows it unmasked. While one of the candidates is still being pushed,
 * nothing is matched: its own answer may claim the callback.
 *
 * One candidate: it is settled like any confirmation, recorded as matched by amount and time.
 * Several: each is held for review with the callback attached, for an operator to pick. M-PESA
 * took the money either way, so nothing here drops a success.
 *
 * Lock order, the same everywhere: the callback's inbound_events row first, then payments.
 */
@Injectable()
export class OrphanCallbackMatcher {
  private readonly logger = new Logger(OrphanCallbackMatcher.name);

  constructor(
    private readonly payments: PaymentRepository,
    private readonly inboundEvents: InboundEventRepository,
    private readonly results: PaymentResultsService,
    private readonly clock: Clock,
  ) {}

  /** A callback just recorded (or locked) by the caller, that matched no stored push. */
  async matchCallback(
    tx: EntityManager,
    event: { id: string; receivedAt: Date },
    callback: StkCallback,
  ): Promise<OrphanMatch> {
    if (callback.resultCode !== 0 || callback.amount === undefined) return 'none';
    // Only an amount a push could have asked for can match one (and fits the query's integer).
    if (!Number.isInteger(callback.amount) || callback.amount < 1 || callback.amount > MAX_AMOUNT) {
      return 'none';
    }
    const paidAt = transactionTime(callback.transactionDate) ?? event.receivedAt;
    const candidates = (
      await this.payments.lockOrphanCandidates(tx, {
        amount: callback.amount,
        startedFrom: new Date(paidAt.getTime() - PROMPT_WINDOW_MS - MATCH_CLOCK_SKEW_MS),
        startedTo: new Date(paidAt.getTime() + MATCH_CLOCK_SKEW_MS),
        paidAt,
      })
    ).filter((p) => callback.phone === undefined || p.phone.replace(/^\+/, '') === callback.phone);
    if (candidates.length === 0) return 'none';
    // A push still out may yet bring its own answer, and with it this CheckoutRequestID: wait
    // for it (or for it to be found ambiguous) rather than guess.
    if (candidates.some((p) => p.status === 'initiating')) return 'none';

    const now = this.clock.now();
    if (candidates.length === 1) {
      const [payment] = candidates;
      await this.payments.attachOrphanCheckout(
        tx,
        payment.id,
        {
          checkoutRequestId: callback.checkoutRequestId,
          merchantRequestId: callback.merchantRequestId,
        },
        now,
      );
      await this.results.applyFinalResult(tx, payment.id, toFinalResult(callback), SOURCE);
      await this.markProcessed(tx, event.id, now);
      this.logger.warn(
        { paymentId: payment.id, checkoutRequestId: callback.checkoutRequestId },
        'orphan M-PESA success matched to an unanswered push by amount and time',
      );
      return 'matched';
    }

    const reason =
      `orphan_callback: M-PESA success ${callback.mpesaReceipt ?? callback.checkoutRequestId} ` +
      `matches ${candidates.length} unanswered pushes of KES ${callback.amount}`;
    for (const payment of candidates) {
      await this.payments.holdForOrphanReview(tx, payment.id, {
        eventId: event.id,
        paidAmount: callback.amount,
        reason: reason.slice(0, 500),
        at: now,
      });
      await this.results.notifyReview(tx, payment);
    }
    await this.markProcessed(tx, event.id, now);
    this.logger.warn(
      { paymentIds: candidates.map((p) => p.id), checkoutRequestId: callback.checkoutRequestId },
      'orphan M-PESA success matches several pushes: held for review',
    );
    return 'review';
  }

  /**
   * A push just found to be without an answer (or still without one): any success callback that
   * arrived for it already is waiting, unprocessed, in inbound_events.
   */
  async matchPayment(
    tx: EntityManager,
    payment: Pick<PaymentRow, 'id' | 'amount' | 'push_started_at'>,
  ): Promise<boolean> {
    if (!payment.push_started_at) return false;
    const since = new Date(new Date(payment.push_started_at).getTime() - MATCH_CLOCK_SKEW_MS);
    // Successes only: an STK callback's key ends with its ResultCode.
    const events = await this.inboundEvents.lockOpenByKeySuffix(tx, 'mpesa', ':0', since, 200);
    for (const event of events) {
      const callback = parseStkCallback(event.payload);
      if (!callback || callback.amount !== Number(payment.amount)) continue;
      const match = await this.matchCallback(
        tx,
        { id: event.id, receivedAt: event.receivedAt },
        callback,
      );
      if (match === 'none') continue;
      const status = await this.payments.findStatus(tx, payment.id);
      if (status !== null && status !== 'pending') return true;
    }
    return false;
  }

  private async markProcessed(tx: EntityManager, eventId: string, now: Date): Promise<void> {
    await this.inboundEvents.markProcessed(tx, eventId, now);
  }
}

/** TransactionDate is YYYYMMDDHHmmss in Nairobi time (UTC+3, no daylight saving). */
export function transactionTime(value: string | undefined): Date | undefined {
  const m = value ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value) : null;
  if (!m) return undefined;
  const at = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+03:00`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
