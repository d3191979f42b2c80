import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUuid } from '../common/text/uuid';
import { Clock } from '../runtime/clock';
import { type OutboxHandler, type OutboxResult, OutboxService } from '../runtime/outbox';
import type { OutboxRow } from '../runtime/outbox';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { PAYMENT_PROVIDER, type PaymentProvider } from './payment-provider.port';
import { scheduleStkQuery } from './payment-polling';
import { AMBIGUOUS_TIMEOUT_MS, POLLING_WINDOW_MS } from './payment-polling.constants';
import type { PaymentRow } from './payment.record';
import { PaymentRepository } from './payment.repository';
import { type FinalResult, PaymentResultsService } from './payment-results.service';
import { OrphanCallbackMatcher } from './orphan-callbacks.service';

const SOURCE = 'outbox:mpesa.stk_query';

/** The synthetic result for a push we never heard back about. */
export const AMBIGUOUS_TIMEOUT_RESULT: FinalResult = {
  resultCode: 1037,
  rawResultCode: '1037',
  resultDesc: 'No answer from M-PESA within 3 minutes of an unconfirmed push',
};

/**
 * Outbox kind 'mpesa.stk_query' {paymentId, n}: one status check of a pending payment. Pending
 * (or a query error) schedules the next check until the polling window closes; a final answer
 * goes through applyFinalResult like a callback.
 */
@Injectable()
export class StkQueryHandler implements OutboxHandler {
  private readonly logger = new Logger(StkQueryHandler.name);

  constructor(
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly signals: RuntimeSignals,
    private readonly outbox: OutboxService,
    private readonly payments: PaymentRepository,
    private readonly results: PaymentResultsService,
    private readonly orphans: OrphanCallbackMatcher,
    private readonly clock: Clock,
  ) {}

  async handle(row: OutboxRow): Promise<OutboxResult> {
    const paymentId = typeof row.payload.paymentId === 'string' ? row.payload.paymentId : '';
    const n = Number(row.payload.n ?? 1);
    const payment = await this.load(paymentId);
    if (!payment || payment.status !== 'pending') return { status: 'done' };
    const elapsed = this.clock.now().getTime() - new Date(payment.initiated_at).getTime();

    if (!payment.checkout_request_id) {
      // Nothing to query with. A success callback whose CheckoutRequestID we never stored may
      // be matched to it; once the prompt's lifetime has passed without one, the customer is
      // told it timed out (a success arriving later still settles the invoice).
      const startedAt = new Date(payment.push_started_at ?? payment.initiated_at).getTime();
      const waited = this.clock.now().getTime() - startedAt;
      const settled = await this.signals.transaction(async (manager) => {
        if (await this.orphans.matchPayment(manager, payment)) return true;
        if (waited < AMBIGUOUS_TIMEOUT_MS) return false;
        await this.results.applyFinalResult(manager, payment.id, AMBIGUOUS_TIMEOUT_RESULT, SOURCE);
        return true;
      });
      if (!settled) await this.next(payment.id, n);
      return { status: 'done' };
    }

    const checkout = payment.checkout_request_id;
    const early = await this.signals.transaction(async (manager) => {
      await this.payments.lockCheckout(manager, checkout);
      return this.results.applyEarlyCallbacks(manager, payment.id, checkout, 'webhook:mpesa:late');
    });
    if (early > 0) return { status: 'done' };

    await this.signals.transaction((manager) =>
      this.payments.countQueryAttempt(manager, payment.id, this.clock.now()),
    );
    const answer = await this.provider.stkQuery(checkout);
    if (answer.status === 'final') {
      await this.signals.transaction((manager) =>
        this.results.applyFinalResult(
          manager,
          payment.id,
          {
            resultCode: answer.resultCode,
            rawResultCode: answer.rawResultCode,
            resultDesc: answer.resultDesc,
          },
          SOURCE,
        ),
      );
      return { status: 'done' };
    }
    if (elapsed >= POLLING_WINDOW_MS) {
      this.logger.warn(
        { paymentId: payment.id, queries: n, last: answer.status },
        'payment still pending after the polling window; left to reconciliation',
      );
      return { status: 'done' };
    }
    await this.next(payment.id, n);
    return { status: 'done' };
  }

  private async next(paymentId: string, n: number): Promise<void> {
    await this.signals.transaction((manager) =>
      scheduleStkQuery(manager, this.outbox, paymentId, n + 1, this.clock.now()),
    );
  }

  private async load(paymentId: string): Promise<PaymentRow | null> {
    if (!isUuid(paymentId)) return null;
    return this.signals.transaction((manager) => this.payments.findById(manager, paymentId));
  }
}
