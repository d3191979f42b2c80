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
  /** null: Daraja sent a code that is not a number (rawResultCode keeps it). */
  resultCode: number | null;
  /** The code as text, as Daraja sent it. */
  rawResultCode: string;
  resultDesc: string;
  /** Only callbacks carry these. */
  amount?: number;
  receipt?: string;
}

export type ApplyOutcome =
  | { applied: true; status: 'succeeded' | 'failed' | 'review' }
  | { applied: false; reason: 'unknown_payment' | 'already_final' };

/** Invoice states in which money can no longer count towards the invoice. */
const CLOSED_INVOICE_STATES = new Set(['PAID', 'CANCELLED', 'EXPIRED']);

/**
 * The one place a final M-PESA result changes a payment and its invoice, so a callback and a
 * query answer behave the same. Idempotent: a payment that is already final stays as it is,
 * except that money M-PESA says it took always counts: a success for a payment already failed
 * settles the invoice, or is recorded as an overpayment to refund.
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
    if (payment.status === 'failed' && result.resultCode === 0) {
      return this.lateSuccess(manager, payment, result, source, now);
    }
    if (!isOpen(payment.status)) {
      await this.completeReceipt(manager, payment, result, now);
      return { applied: false, reason: 'already_final' };
    }

    if (result.resultCode === 0) {
      if (result.amount !== undefined && result.amount !== Number(payment.amount)) {
        return this.flagForReview(manager, payment, result, now);
      }
      return this.settle(manager, payment, result, source, now, `payment:${payment.id}:final`);
    }

    const outcome = outcomeForResultCode(result.resultCode);
    const unknown = outcome === 'unknown';
    await manager.query(
      `UPDATE payments SET status = 'failed', outcome = $2, result_code = $3, result_desc = $4,
              flagged_reason = COALESCE($5, flagged_reason), completed_at = $6, updated_at = $6
        WHERE id = $1`,
      [
        payment.id,
        outcome,
        result.resultCode,
        describe(result),
        unknown ? `unknown_result_code: ${result.rawResultCode}`.slice(0, 500) : null,
        now,
      ],
    );
    await this.runner.send(
      INVOICE_MACHINE_KIND,
      payment.invoice_id,
      { type: 'PAYMENT_FAILED', paymentId: payment.id, outcome, resultCode: result.resultCode },
      { manager, source, dedupeKey: `payment:${payment.id}:final` },
    );
    const log = { paymentId: payment.id, outcome, resultCode: result.rawResultCode, source };
    if (unknown) this.logger.warn(log, 'payment ended with an unknown M-PESA result');
    else this.logger.log(log, 'payment failed');
    return { applied: true, status: 'failed' };
  }

  /**
   * Records the money and tells the invoice. Whatever the invoice no longer owed (it was paid by
   * another attempt meanwhile, or closed) is an overpayment, flagged for a refund: never dropped.
   */
  private async settle(
    manager: EntityManager,
    payment: PaymentRow,
    result: FinalResult,
    source: string,
    now: Date,
    dedupeKey: string,
  ): Promise<ApplyOutcome> {
    if (result.receipt !== undefined && (await this.receiptTaken(manager, payment, result))) {
      return { applied: false, reason: 'already_final' };
    }
    const paid = result.amount ?? Number(payment.amount);
    const [invoice] = await queryRows<{ state: string; amount: number; amount_paid: number }>(
      manager,
      `SELECT state, amount, amount_paid FROM invoices WHERE id = $1 FOR UPDATE`,
      [payment.invoice_id],
    );
    const owed =
      !invoice || CLOSED_INVOICE_STATES.has(invoice.state)
        ? 0
        : Math.max(0, Number(invoice.amount) - Number(invoice.amount_paid));
    await manager.query(
      `UPDATE payments SET status = 'succeeded', outcome = 'paid', result_code = 0, result_desc = $2,
              mpesa_receipt = COALESCE($3, mpesa_receipt), paid_amount = $4,
              matched_by = COALESCE(matched_by, 'checkout_request_id'),
              completed_at = $5, updated_at = $5
        WHERE id = $1`,
      [payment.id, describe(result), result.receipt ?? null, paid, now],
    );
    const sent = await this.runner.send(
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
    const overpaid = sent.accepted ? Math.max(0, paid - owed) : paid;
    if (overpaid > 0) {
      const reason = `overpayment: KES ${overpaid} beyond what the invoice owed; refund due`;
      await manager.query(
        `UPDATE payments SET overpaid_amount = $2, flagged_reason = $3, updated_at = $4 WHERE id = $1`,
        [payment.id, overpaid, reason, now],
      );
      this.logger.warn(
        { paymentId: payment.id, overpaid, invoiceState: invoice?.state ?? null, source },
        'payment received beyond the balance: flagged for refund',
      );
    } else {
      this.logger.log({ paymentId: payment.id, source }, 'payment succeeded');
    }
    return { applied: true, status: 'succeeded' };
  }

  /**
   * M-PESA took the money of an attempt we had already given up on (a timeout, an unknown
   * result, a query that said otherwise): it still counts.
   */
  private async lateSuccess(
    manager: EntityManager,
    payment: PaymentRow,
    result: FinalResult,
    source: string,
    now: Date,
  ): Promise<ApplyOutcome> {
    if (result.amount !== undefined && result.amount !== Number(payment.amount)) {
      return this.flagForReview(manager, payment, result, now);
    }
    this.logger.warn(
      { paymentId: payment.id, previousOutcome: payment.outcome, source },
      'success for a payment already failed: settling it',
    );
    return this.settle(manager, payment, result, source, now, `payment:${payment.id}:late`);
  }

  /** The same receipt credited to another payment already: this is the same money again. */
  private async receiptTaken(
    manager: EntityManager,
    payment: PaymentRow,
    result: FinalResult,
  ): Promise<boolean> {
    const [other] = await queryRows<{ id: string }>(
      manager,
      `SELECT id FROM payments WHERE mpesa_receipt = $1 AND id <> $2`,
      [result.receipt, payment.id],
    );
    if (!other) return false;
    this.logger.warn(
      { paymentId: payment.id, creditedTo: other.id },
      'M-PESA receipt already credited to another payment: not credited again',
    );
    return true;
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
        describe(result),
        result.receipt ?? null,
        storableAmount(result.amount),
        reason,
        now,
      ],
    );
    await this.notifyReview(manager, payment);
    this.logger.warn({ paymentId: payment.id, reason }, 'payment flagged for review');
    return { applied: true, status: 'review' };
  }

  /** Tells the merchant that a payment of theirs waits for a person. */
  async notifyReview(manager: EntityManager, payment: PaymentRow): Promise<void> {
    await enqueueOutbox(manager, this.signals, {
      kind: 'merchant.notify',
      idempotencyKey: `payment:${payment.id}:review`,
      payload: { invoiceId: payment.invoice_id, paymentId: payment.id, topic: 'payment_review' },
      machineKind: INVOICE_MACHINE_KIND,
      entityId: payment.invoice_id,
    });
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
      result.receipt !== undefined &&
      !(await this.receiptTaken(manager, payment, result))
    ) {
      await manager.query(
        `UPDATE payments SET mpesa_receipt = $2, updated_at = $3 WHERE id = $1 AND mpesa_receipt IS NULL`,
        [payment.id, result.receipt, now],
      );
    }
  }
}

/** paid_amount of a review: M-PESA's amount when an integer column can hold it. */
function storableAmount(amount: number | undefined): number | null {
  if (amount === undefined) return null;
  const rounded = Math.round(amount);
  return rounded >= 0 && rounded <= 2_147_483_647 ? rounded : null;
}

/** result_desc: the description, prefixed with the raw code when the code is not a number. */
function describe(result: FinalResult): string {
  const text =
    result.resultCode === null
      ? `${result.rawResultCode}: ${result.resultDesc}`
      : result.resultDesc;
  return text.slice(0, 500);
}

export function toFinalResult(callback: {
  resultCode: number | null;
  rawResultCode: string;
  resultDesc: string;
  amount?: number;
  mpesaReceipt?: string;
}): FinalResult {
  return {
    resultCode: callback.resultCode,
    rawResultCode: callback.rawResultCode,
    resultDesc: callback.resultDesc,
    ...(callback.amount !== undefined ? { amount: callback.amount } : {}),
    ...(callback.mpesaReceipt !== undefined ? { receipt: callback.mpesaReceipt } : {}),
  };
}

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
