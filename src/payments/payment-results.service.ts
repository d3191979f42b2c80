import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import { Clock } from '../runtime/clock';
import { MachineRunner } from '../runtime/machine-runner';
import { enqueueOutbox } from '../runtime/outbox';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { outcomeForResultCode, parseStkCallback } from './mpesa/daraja-result-codes';
import { isOpen, lockPayment, type PaymentRow } from './payment.record';

/** A final answer about one push, from a callback or from an STK query. */
export interface FinalResult {
  resultCode: number;
  resultDesc: string;
  /** Only callbacks carry these. */
  amount?: number;
  receipt?: string;
}

export type ApplyOutcome =
  | { applied: true; status: 'succeeded' | 'failed' | 'review' }
  | { applied: false; reason: 'unknown_payment' | 'already_final' };

/**
 * The one place a final M-PESA result changes a payment and its invoice, so a callback and a
 * query answer behave the same. Idempotent: a payment that is already final stays as it is.
 */
@Injectable()
export class PaymentResultsService {
  private readonly logger = new Logger(PaymentResultsService.name);

  constructor(
    private readonly signals: RuntimeSignals,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
  ) {}

  applyFinalResult(
    paymentId: string,
    result: FinalResult,
    source: string,
    manager?: EntityManager,
  ): Promise<ApplyOutcome> {
    if (manager) return this.applyIn(manager, paymentId, result, source);
    return this.signals.transaction((m) => this.applyIn(m, paymentId, result, source));
  }

  /**
   * Callbacks that arrived before the push's answer was stored (unprocessed inbound events for
   * this CheckoutRequestID): applied now, in the caller's transaction.
   */
  async applyEarlyCallbacks(
    manager: EntityManager,
    paymentId: string,
    checkoutRequestId: string,
    source: string,
  ): Promise<number> {
    const events = await queryRows<{ id: string; payload: unknown }>(
      manager,
      `SELECT id, payload FROM inbound_events
        WHERE provider = 'mpesa' AND processed_at IS NULL AND external_id LIKE $1
        ORDER BY id FOR UPDATE`,
      [`${likeEscape(checkoutRequestId)}:%`],
    );
    let applied = 0;
    for (const event of events) {
      const callback = parseStkCallback(event.payload);
      if (callback && callback.checkoutRequestId === checkoutRequestId) {
        await this.applyIn(manager, paymentId, toFinalResult(callback), source);
        applied += 1;
      }
      await manager.query(`UPDATE inbound_events SET processed_at = $2 WHERE id = $1`, [
        event.id,
        this.clock.now(),
      ]);
    }
    return applied;
  }

  private async applyIn(
    manager: EntityManager,
    paymentId: string,
    result: FinalResult,
    source: string,
  ): Promise<ApplyOutcome> {
    const payment = await lockPayment(manager, paymentId);
    if (!payment) return { applied: false, reason: 'unknown_payment' };
    const now = this.clock.now();
    if (!isOpen(payment.status)) {
      await this.completeReceipt(manager, payment, result, now);
      return { applied: false, reason: 'already_final' };
    }
    const dedupeKey = `payment:${payment.id}:final`;

    if (result.resultCode === 0) {
      if (result.amount !== undefined && result.amount !== Number(payment.amount)) {
        return this.flagForReview(manager, payment, result, now);
      }
      const paid = Number(payment.amount);
      await manager.query(
        `UPDATE payments SET status = 'succeeded', outcome = 'paid', result_code = 0, result_desc = $2,
                mpesa_receipt = $3, paid_amount = $4, completed_at = $5, updated_at = $5
          WHERE id = $1`,
        [payment.id, result.resultDesc, result.receipt ?? null, paid, now],
      );
      await this.runner.send(
        INVOICE_MACHINE_KIND,
        payment.invoice_id,
        {
          type: 'PAYMENT_CONFIRMED',
          paymentId: payment.id,
          amount: paid,
          // A query-confirmed payment has no receipt yet; the machine only records it.
          receipt: result.receipt ?? `QUERY-${payment.checkout_request_id ?? payment.id}`,
        },
        { manager, source, dedupeKey },
      );
      this.logger.log({ paymentId: payment.id, source }, 'payment succeeded');
      return { applied: true, status: 'succeeded' };
    }

    const outcome = outcomeForResultCode(result.resultCode);
    await manager.query(
      `UPDATE payments SET status = 'failed', outcome = $2, result_code = $3, result_desc = $4,
              completed_at = $5, updated_at = $5
        WHERE id = $1`,
      [payment.id, outcome, result.resultCode, result.resultDesc.slice(0, 500), now],
    );
    await this.runner.send(
      INVOICE_MACHINE_KIND,
      payment.invoice_id,
      { type: 'PAYMENT_FAILED', paymentId: payment.id, outcome, resultCode: result.resultCode },
      { manager, source, dedupeKey },
    );
    this.logger.log(
      { paymentId: payment.id, outcome, resultCode: result.resultCode, source },
      'payment failed',
    );
    return { applied: true, status: 'failed' };
  }

  /**
   * A success for another amount than we asked for is not trusted: the payment waits for a
   * person, the invoice is left alone, and the merchant is told.
   */
  private async flagForReview(
    manager: EntityManager,
    payment: PaymentRow,
    result: FinalResult,
    now: Date,
  ): Promise<ApplyOutcome> {
    const reason = `amount_mismatch: asked ${payment.amount}, M-PESA reported ${result.amount}`;
    await manager.query(
      `UPDATE payments SET status = 'review', result_code = $2, result_desc = $3, mpesa_receipt = $4,
              paid_amount = $5, flagged_reason = $6, completed_at = $7, updated_at = $7
        WHERE id = $1`,
      [
        payment.id,
        result.resultCode,
        result.resultDesc.slice(0, 500),
        result.receipt ?? null,
        result.amount === undefined ? null : Math.round(result.amount),
        reason,
        now,
      ],
    );
    await enqueueOutbox(manager, this.signals, {
      kind: 'merchant.notify',
      idempotencyKey: `payment:${payment.id}:review`,
      payload: { invoiceId: payment.invoice_id, paymentId: payment.id, topic: 'payment_review' },
      machineKind: INVOICE_MACHINE_KIND,
      entityId: payment.invoice_id,
    });
    this.logger.warn({ paymentId: payment.id, reason }, 'payment flagged for review');
    return { applied: true, status: 'review' };
  }

  /**
   * A late callback may bring the receipt of a payment a query already confirmed, or contradict
   * its amount (flagged, for reconciliation).
   */
  private async completeReceipt(
    manager: EntityManager,
    payment: PaymentRow,
    result: FinalResult,
    now: Date,
  ): Promise<void> {
    if (
      payment.status === 'succeeded' &&
      result.resultCode === 0 &&
      result.amount !== undefined &&
      result.amount !== Number(payment.amount)
    ) {
      // The query said "paid" without an amount; the callback now says another amount.
      const reason = `late callback amount ${result.amount} differs from ${payment.amount}`;
      await manager.query(
        `UPDATE payments SET flagged_reason = $2, updated_at = $3 WHERE id = $1 AND flagged_reason IS NULL`,
        [payment.id, reason, now],
      );
      this.logger.warn({ paymentId: payment.id, reason }, 'confirmed payment flagged for review');
      return;
    }
    if (
      payment.status === 'succeeded' &&
      payment.mpesa_receipt === null &&
      result.resultCode === 0 &&
      result.receipt !== undefined
    ) {
      await manager.query(
        `UPDATE payments SET mpesa_receipt = $2, updated_at = $3 WHERE id = $1 AND mpesa_receipt IS NULL`,
        [payment.id, result.receipt, now],
      );
    }
  }
}

export function toFinalResult(callback: {
  resultCode: number;
  resultDesc: string;
  amount?: number;
  mpesaReceipt?: string;
}): FinalResult {
  return {
    resultCode: callback.resultCode,
    resultDesc: callback.resultDesc,
    ...(callback.amount !== undefined ? { amount: callback.amount } : {}),
    ...(callback.mpesaReceipt !== undefined ? { receipt: callback.mpesaReceipt } : {}),
  };
}

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
