import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InvoicesService } from '../invoices/invoices.service';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import { Clock } from '../runtime/clock';
import { InboundEventRepository } from '../runtime/inbound-event.repository';
import { MachineRunner } from '../runtime/machine-runner';
import { OutboxService } from '../runtime/outbox';
import { outcomeForResultCode, parseStkCallback } from './mpesa/daraja-result-codes';
import { isOpen, type PaymentRow } from './payment.record';
import { PaymentRepository } from './payment.repository';

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
    private readonly payments: PaymentRepository,
    private readonly invoices: InvoicesService,
    private readonly inboundEvents: InboundEventRepository,
    private readonly outbox: OutboxService,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
  ) {}

  /** In the caller's transaction, which holds the payment's row lock until it commits. */
  async applyFinalResult(
    tx: EntityManager,
    paymentId: string,
    result: FinalResult,
    source: string,
  ): Promise<ApplyOutcome> {
    const payment = await this.payments.lockById(tx, paymentId);
    if (!payment) return { applied: false, reason: 'unknown_payment' };
    const now = this.clock.now();
    if (payment.status === 'failed' && result.resultCode === 0) {
      return this.lateSuccess(tx, payment, result, source, now);
    }
    if (!isOpen(payment.status)) {
      await this.completeReceipt(tx, payment, result, now);
      return { applied: false, reason: 'already_final' };
    }

    if (result.resultCode === 0) {
      if (result.amount !== undefined && result.amount !== Number(payment.amount)) {
        return this.flagForReview(tx, payment, result, now);
      }
      return this.settle(tx, payment, result, source, now, `payment:${payment.id}:final`);
    }

    const outcome = outcomeForResultCode(result.resultCode);
    const unknown = outcome === 'unknown';
    await this.payments.markFailed(tx, payment.id, {
      outcome,
      resultCode: result.resultCode,
      resultDesc: describe(result),
      flaggedReason: unknown ? `unknown_result_code: ${result.rawResultCode}`.slice(0, 500) : null,
      at: now,
    });
    await this.runner.send(
      INVOICE_MACHINE_KIND,
      payment.invoice_id,
      { type: 'PAYMENT_FAILED', paymentId: payment.id, outcome, resultCode: result.resultCode },
      { manager: tx, source, dedupeKey: `payment:${payment.id}:final` },
    );
    const log = { paymentId: payment.id, outcome, resultCode: result.rawResultCode, source };
    if (unknown) this.logger.warn(log, 'payment ended with an unknown M-PESA result');
    else this.logger.log(log, 'payment failed');
    return { applied: true, status: 'failed' };
  }

  /**
   * Callbacks that arrived before the push's answer was stored (unprocessed inbound events for
   * this CheckoutRequestID): applied now, in the caller's transaction.
   */
  async applyEarlyCallbacks(
    tx: EntityManager,
    paymentId: string,
    checkoutRequestId: string,
    source: string,
  ): Promise<number> {
    const events = await this.inboundEvents.lockOpenByKeyPrefix(
      tx,
      'mpesa',
      `${checkoutRequestId}:`,
    );
    let applied = 0;
    for (const event of events) {
      const callback = parseStkCallback(event.payload);
      if (callback && callback.checkoutRequestId === checkoutRequestId) {
        await this.applyFinalResult(tx, paymentId, toFinalResult(callback), source);
        applied += 1;
      }
      await this.inboundEvents.markProcessed(tx, event.id, this.clock.now());
    }
    return applied;
  }

  /**
   * Records the money and tells the invoice. Whatever the invoice no longer owed (it was paid by
   * another attempt meanwhile, or closed) is an overpayment, flagged for a refund: never dropped.
   */
  private async settle(
    tx: EntityManager,
    payment: PaymentRow,
    result: FinalResult,
    source: string,
    now: Date,
    dedupeKey: string,
  ): Promise<ApplyOutcome> {
    if (result.receipt !== undefined && (await this.receiptTaken(tx, payment, result.receipt))) {
      return { applied: false, reason: 'already_final' };
    }
    const paid = result.amount ?? Number(payment.amount);
    const invoice = await this.invoices.lockBalance(tx, payment.invoice_id);
    const owed =
      !invoice || CLOSED_INVOICE_STATES.has(invoice.state)
        ? 0
        : Math.max(0, invoice.amount - invoice.amountPaid);
    await this.payments.markSucceeded(tx, payment.id, {
      resultDesc: describe(result),
      receipt: result.receipt ?? null,
      paidAmount: paid,
      at: now,
    });
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
      { manager: tx, source, dedupeKey },
    );
    const overpaid = sent.accepted ? Math.max(0, paid - owed) : paid;
    if (overpaid > 0) {
      const reason = `overpayment: KES ${overpaid} beyond what the invoice owed; refund due`;
      await this.payments.flagOverpaid(tx, payment.id, overpaid, reason, now);
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
    tx: EntityManager,
    payment: PaymentRow,
    result: FinalResult,
    source: string,
    now: Date,
  ): Promise<ApplyOutcome> {
    if (result.amount !== undefined && result.amount !== Number(payment.amount)) {
      return this.flagForReview(tx, payment, result, now);
    }
    this.logger.warn(
      { paymentId: payment.id, previousOutcome: payment.outcome, source },
      'success for a payment already failed: settling it',
    );
    return this.settle(tx, payment, result, source, now, `payment:${payment.id}:late`);
  }

  /** The same receipt credited to another payment already: this is the same money again. */
  private async receiptTaken(
    tx: EntityManager,
    payment: PaymentRow,
    receipt: string,
  ): Promise<boolean> {
    const other = await this.payments.findOtherIdWithReceipt(tx, receipt, payment.id);
    if (!other) return false;
    this.logger.warn(
      { paymentId: payment.id, creditedTo: other },
      'M-PESA receipt already credited to another payment: not credited again',
    );
    return true;
  }

  /**
   * A success for another amount than we asked for is not trusted: the payment waits for a
   * person, the invoice is left alone, and the merchant is told.
   */
  private async flagForReview(
    tx: EntityManager,
    payment: PaymentRow,
    result: FinalResult,
    now: Date,
  ): Promise<ApplyOutcome> {
    const reason = `amount_mismatch: asked ${payment.amount}, M-PESA reported ${result.amount}`;
    await this.payments.holdForAmountReview(tx, payment.id, {
      resultCode: result.resultCode,
      resultDesc: describe(result),
      receipt: result.receipt ?? null,
      paidAmount: storableAmount(result.amount),
      reason,
      at: now,
    });
    await this.notifyReview(tx, payment);
    this.logger.warn({ paymentId: payment.id, reason }, 'payment flagged for review');
    return { applied: true, status: 'review' };
  }

  /** Tells the merchant that a payment of theirs waits for a person. */
  async notifyReview(tx: EntityManager, payment: PaymentRow): Promise<void> {
    await this.outbox.enqueue(tx, {
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
    tx: EntityManager,
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
      await this.payments.flagIfUnflagged(tx, payment.id, reason, now);
      this.logger.warn({ paymentId: payment.id, reason }, 'confirmed payment flagged for review');
      return;
    }
    if (
      payment.status === 'succeeded' &&
      payment.mpesa_receipt === null &&
      result.resultCode === 0 &&
      result.receipt !== undefined &&
      !(await this.receiptTaken(tx, payment, result.receipt))
    ) {
      await this.payments.setReceiptIfMissing(tx, payment.id, result.receipt, now);
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
