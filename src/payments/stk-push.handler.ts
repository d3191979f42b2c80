import { Inject, Injectable, Logger } from '@nestjs/common';
import { retryOnConnectionLoss } from '../database/connection-loss';
import { isUuid } from '../common/text/uuid';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import { Clock } from '../runtime/clock';
import { MachineRunner } from '../runtime/machine-runner';
import {
  type MachineEventLike,
  type OutboxHandler,
  type OutboxResult,
  OutboxService,
} from '../runtime/outbox';
import type { OutboxRow } from '../runtime/outbox';
import { RuntimeSignals } from '../runtime/runtime-signals';
import {
  PAYMENT_PROVIDER,
  type PaymentProvider,
  type StkPushResult,
} from './payment-provider.port';
import { scheduleStkQuery } from './payment-polling';
import type { PaymentRow } from './payment.record';
import { PaymentRepository, type PaymentToPush } from './payment.repository';
import { PaymentResultsService } from './payment-results.service';
import { OrphanCallbackMatcher } from './orphan-callbacks.service';

const SOURCE = 'outbox:mpesa.stk_push';
/** Well inside the outbox lease (at least 20 s), so the row is not taken over meanwhile. */
const RECORD_RETRY_BUDGET_MS = 10_000;

/**
 * Outbox kind 'mpesa.stk_push' {paymentId, invoiceId}, enqueued by the invoice machine on
 * PAYMENT_REQUESTED. Sends the prompt and records what Daraja said.
 *
 * Crash safety: push_started_at is committed right before the HTTP call. A run that finds the
 * payment 'initiating' without it knows nothing left (the previous claimer died before the push)
 * and pushes; a run that finds it set and no answer stored knows a prompt may be on the phone,
 * and never pushes again: the payment waits as ambiguous for a callback (matched by amount and
 * time when its CheckoutRequestID was lost) and otherwise times out (see docs/PAYMENTS.md).
 */
@Injectable()
export class StkPushHandler implements OutboxHandler {
  private readonly logger = new Logger(StkPushHandler.name);

  constructor(
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly signals: RuntimeSignals,
    private readonly outbox: OutboxService,
    private readonly runner: MachineRunner,
    private readonly payments: PaymentRepository,
    private readonly results: PaymentResultsService,
    private readonly orphans: OrphanCallbackMatcher,
    private readonly clock: Clock,
  ) {}

  async handle(row: OutboxRow): Promise<OutboxResult> {
    const paymentId = typeof row.payload.paymentId === 'string' ? row.payload.paymentId : '';
    const payment = await this.load(paymentId);
    if (!payment) return { status: 'permanent', error: `payment ${paymentId} not found` };
    if (payment.status !== 'initiating') {
      // A redelivery after the result was stored: report it again (the runner dedupes it).
      return { status: 'done', event: this.replay(payment) };
    }
    if (payment.push_started_at !== null || !(await this.markStarted(payment.id))) {
      // An earlier run (or a second instance right now) started this push and recorded nothing.
      return this.record(row, payment, {
        status: 'ambiguous',
        reason: 'an earlier push attempt started and recorded no answer',
      });
    }
    const result = await this.provider.stkPush({
      phone: payment.phone,
      amount: Number(payment.amount),
      accountReference: payment.ref,
      description: payment.description,
    });
    // Only this process knows Daraja's answer (a CheckoutRequestID is the only way to query the
    // push later): a database blip must not lose it. Every write in record() is idempotent.
    return retryOnConnectionLoss(() => this.record(row, payment, result), {
      budgetMs: RECORD_RETRY_BUDGET_MS,
    });
  }

  private async record(
    row: OutboxRow,
    payment: PaymentToPush,
    result: StkPushResult,
  ): Promise<OutboxResult> {
    switch (result.status) {
      case 'accepted':
        await this.signals.transaction(async (manager) => {
          await this.payments.lockCheckout(manager, result.checkoutRequestId);
          const stored = await this.payments.storeCheckout(
            manager,
            payment.id,
            {
              merchantRequestId: result.merchantRequestId,
              checkoutRequestId: result.checkoutRequestId,
            },
            this.clock.now(),
          );
          if (!stored) return;
          // Sent here rather than returned, so that it lands before an early callback's result.
          await this.runner.send(
            INVOICE_MACHINE_KIND,
            payment.invoice_id,
            {
              type: 'STK_ACCEPTED',
              paymentId: payment.id,
              checkoutRequestId: result.checkoutRequestId,
            },
            { manager, source: SOURCE, dedupeKey: `payment:${payment.id}:stk` },
          );
          const early = await this.results.applyEarlyCallbacks(
            manager,
            payment.id,
            result.checkoutRequestId,
            'webhook:mpesa:early',
          );
          if (early === 0) {
            await scheduleStkQuery(manager, this.outbox, payment.id, 1, this.clock.now());
          }
        });
        return { status: 'done' };
      case 'rejected':
        if (result.retryable && row.attempts < row.maxAttempts) {
          // Nothing reached M-PESA: the next run may push again.
          await this.markNotStarted(payment.id, `${result.code}: ${result.message}`);
          return { status: 'retry', error: `${result.code}: ${result.message}` };
        }
        await this.fail(payment.id, result.code, result.message);
        return {
          status: 'permanent',
          error: `${result.code}: ${result.message}`,
          event: {
            type: 'STK_REJECTED',
            paymentId: payment.id,
            code: result.code,
            message: result.message,
          },
        };
      case 'ambiguous': {
        const now = this.clock.now();
        const marked = await this.signals.transaction(async (manager) => {
          const pending = await this.payments.markPushAmbiguous(
            manager,
            payment.id,
            `push outcome unknown: ${result.reason}`.slice(0, 500),
            now,
          );
          if (pending) {
            await scheduleStkQuery(manager, this.outbox, payment.id, 1, now);
          }
          return pending;
        });
        this.logger.warn({ paymentId: payment.id }, 'STK push ambiguous: waiting, not re-pushing');
        if (marked) {
          // A success callback may already be waiting for it (the push got through, its answer
          // did not). A separate transaction keeps the lock order: callbacks, then payments.
          await this.signals.transaction((manager) =>
            this.orphans.matchPayment(manager, {
              id: payment.id,
              amount: payment.amount,
              push_started_at: payment.push_started_at ?? now,
            }),
          );
        }
        return { status: 'done' };
      }
    }
  }

  /** Committed before the HTTP call; false when another run has started it meanwhile. */
  private markStarted(paymentId: string): Promise<boolean> {
    return this.signals.transaction((manager) =>
      this.payments.markPushStarted(manager, paymentId, this.clock.now()),
    );
  }

  /** Daraja refused the push before it reached M-PESA: the next run pushes afresh. */
  private async markNotStarted(paymentId: string, reason: string): Promise<void> {
    await this.signals.transaction((manager) =>
      this.payments.markPushNotStarted(
        manager,
        paymentId,
        `last push refused: ${reason}`.slice(0, 500),
        this.clock.now(),
      ),
    );
  }

  /**
   * Refused before it reached M-PESA: no prompt ever existed, so the push does not count as
   * started (the orphan matcher reads a started push as a prompt that closed earlier ones).
   */
  private async fail(paymentId: string, code: string, message: string): Promise<void> {
    const now = this.clock.now();
    await this.signals.transaction((manager) =>
      this.payments.failRefusedPush(manager, paymentId, `${code}: ${message}`.slice(0, 500), now),
    );
  }

  private replay(payment: PaymentRow): MachineEventLike | undefined {
    if (payment.status === 'failed' && payment.outcome === 'rejected') {
      const [code, ...rest] = (payment.result_desc ?? 'rejected').split(': ');
      return { type: 'STK_REJECTED', paymentId: payment.id, code, message: rest.join(': ') };
    }
    return undefined;
  }

  private async load(paymentId: string): Promise<PaymentToPush | null> {
    if (!isUuid(paymentId)) return null;
    return this.signals.transaction((manager) => this.payments.findToPush(manager, paymentId));
  }
}
