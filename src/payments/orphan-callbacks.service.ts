import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MAX_AMOUNT } from '../common/money';
import { queryRows } from '../database/sql';
import { Clock } from '../runtime/clock';
import { parseStkCallback, type StkCallback } from './mpesa/daraja-result-codes';
import { PaymentResultsService, toFinalResult } from './payment-results.service';
import { AMBIGUOUS_TIMEOUT_MS } from './payment-polling.constants';
import { PAYMENT_COLUMNS, type PaymentRow } from './payment.record';

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
    private readonly results: PaymentResultsService,
    private readonly clock: Clock,
  ) {}

  /** A callback just recorded (or locked) by the caller, that matched no stored push. */
  async matchCallback(
    manager: EntityManager,
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
      await queryRows<PaymentRow>(
        manager,
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
        [
          callback.amount,
          new Date(paidAt.getTime() - PROMPT_WINDOW_MS - MATCH_CLOCK_SKEW_MS),
          new Date(paidAt.getTime() + MATCH_CLOCK_SKEW_MS),
          paidAt,
        ],
      )
    ).filter((p) => callback.phone === undefined || p.phone.replace(/^\+/, '') === callback.phone);
    if (candidates.length === 0) return 'none';
    // A push still out may yet bring its own answer, and with it this CheckoutRequestID: wait
    // for it (or for it to be found ambiguous) rather than guess.
    if (candidates.some((p) => p.status === 'initiating')) return 'none';

    const now = this.clock.now();
    if (candidates.length === 1) {
      const [payment] = candidates;
      await manager.query(
        `UPDATE payments SET checkout_request_id = $2,
                merchant_request_id = COALESCE(merchant_request_id, $3),
                matched_by = 'amount_and_time', updated_at = $4
          WHERE id = $1`,
        [payment.id, callback.checkoutRequestId, callback.merchantRequestId, now],
      );
      await this.results.applyFinalResult(payment.id, toFinalResult(callback), SOURCE, manager);
      await this.markProcessed(manager, event.id, now);
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
      await manager.query(
        `UPDATE payments SET status = 'review', review_event_id = $2, paid_amount = $3,
                flagged_reason = $4, completed_at = COALESCE(completed_at, $5), updated_at = $5
          WHERE id = $1`,
        [payment.id, event.id, callback.amount, reason.slice(0, 500), now],
      );
      await this.results.notifyReview(manager, payment);
    }
    await this.markProcessed(manager, event.id, now);
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
    manager: EntityManager,
    payment: Pick<PaymentRow, 'id' | 'amount' | 'push_started_at'>,
  ): Promise<boolean> {
    if (!payment.push_started_at) return false;
    const since = new Date(new Date(payment.push_started_at).getTime() - MATCH_CLOCK_SKEW_MS);
    const events = await queryRows<{ id: string; payload: unknown; received_at: Date }>(
      manager,
      `SELECT id, payload, received_at FROM inbound_events
        WHERE provider = 'mpesa' AND processed_at IS NULL AND external_id LIKE '%:0'
          AND received_at >= $1
        ORDER BY id LIMIT 200 FOR UPDATE`,
      [since],
    );
    for (const event of events) {
      const callback = parseStkCallback(event.payload);
      if (!callback || callback.amount !== Number(payment.amount)) continue;
      const match = await this.matchCallback(
        manager,
        { id: event.id, receivedAt: new Date(event.received_at) },
        callback,
      );
      if (match === 'none') continue;
      const [after] = await queryRows<{ status: string }>(
        manager,
        `SELECT status FROM payments WHERE id = $1`,
        [payment.id],
      );
      if (after && after.status !== 'pending') return true;
    }
    return false;
  }

  private async markProcessed(manager: EntityManager, eventId: string, now: Date): Promise<void> {
    await manager.query(`UPDATE inbound_events SET processed_at = $2 WHERE id = $1`, [
      eventId,
      now,
    ]);
  }
}

/** TransactionDate is YYYYMMDDHHmmss in Nairobi time (UTC+3, no daylight saving). */
export function transactionTime(value: string | undefined): Date | undefined {
  const m = value ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value) : null;
  if (!m) return undefined;
  const at = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+03:00`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
