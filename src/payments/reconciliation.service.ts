import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../runtime/clock';
import { InboundEventRepository } from '../runtime/inbound-event.repository';
import { OutboxService } from '../runtime/outbox';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import { MachineRunner } from '../runtime/machine-runner';
import {
  RECONCILE_AFTER_MS,
  STK_PUSH_KIND,
  STK_QUERY_KIND,
  UNMATCHED_CALLBACK_AFTER_MS,
} from './payment-polling.constants';
import { PaymentRepository } from './payment.repository';
import { type DriftingPayment, ReconciliationQuery } from './reconciliation.query';

export type DriftIssue =
  | 'stuck_initiating'
  | 'stuck_pending'
  | 'stuck_unconfirmed'
  | 'amount_review'
  | 'orphan_review'
  | 'overpayment'
  | 'unknown_result'
  | 'unmatched_callback';

export interface DriftRow {
  issue: DriftIssue;
  paymentId: string | null;
  invoiceId: string | null;
  checkoutRequestId: string | null;
  since: Date;
  ageSeconds: number;
  detail: string | null;
  suggestedAction: string;
}

const ACTIONS: Record<DriftIssue, string> = {
  stuck_initiating: 'check the mpesa.stk_push outbox row (dead or stuck); fail the payment by hand',
  stuck_pending: 'STK query queued; if it stays pending, check the M-PESA portal',
  stuck_unconfirmed:
    'push answer never arrived: timeout queued; check the M-PESA portal by phone and amount',
  amount_review:
    'callback amount differs from the request: confirm with the merchant, then POST /admin/payments/<id>/review (accept or reject)',
  orphan_review:
    'an M-PESA success whose CheckoutRequestID was never stored matches several pushes: find the payer in the M-PESA portal, accept it for that payment and reject the others (POST /admin/payments/<id>/review)',
  overpayment:
    'M-PESA took more than the invoice still owed (a second attempt paid it too, or it was closed): refund the overpaid amount to the customer',
  unknown_result:
    'M-PESA answered with a ResultCode we do not know: check the payment in the M-PESA portal, then POST /admin/payments/<id>/review (accept if it was paid, reject if not)',
  unmatched_callback:
    'callback for an unknown CheckoutRequestID: match it to a payment by hand or ignore it',
};

/** A late callback contradicted a payment already confirmed (and counted) by a query. */
const SUCCEEDED_WITH_OTHER_AMOUNT =
  'M-PESA reported another amount after the payment was counted at the requested amount: ' +
  'check the M-PESA portal and correct with the merchant';

function issueOf(p: DriftingPayment): DriftIssue {
  switch (p.status) {
    case 'review':
      return p.review_event_id === null ? 'amount_review' : 'orphan_review';
    case 'succeeded':
      return p.overpaid_amount === null ? 'amount_review' : 'overpayment';
    case 'failed':
      return 'unknown_result';
    case 'initiating':
      return 'stuck_initiating';
    case 'pending':
      return p.checkout_request_id ? 'stuck_pending' : 'stuck_unconfirmed';
  }
}

/**
 * Finds payments that drifted from what M-PESA knows (stuck open, flagged, callbacks that match
 * nothing) and queues a status query for the ones that can be asked about. Read-mostly; the
 * admin API lists findDrift().
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentRepository,
    private readonly driftQuery: ReconciliationQuery,
    private readonly inboundEvents: InboundEventRepository,
    private readonly signals: RuntimeSignals,
    private readonly outbox: OutboxService,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
  ) {}

  async findDrift(): Promise<DriftRow[]> {
    const now = this.clock.now();
    const stuckBefore = new Date(now.getTime() - RECONCILE_AFTER_MS);
    const payments = await this.driftQuery.driftingPayments(this.dataSource.manager, stuckBefore);
    const callbacks = await this.inboundEvents.listOpenReceivedBefore(
      this.dataSource.manager,
      'mpesa',
      new Date(now.getTime() - UNMATCHED_CALLBACK_AFTER_MS),
      500,
    );
    const age = (since: Date) => Math.round((now.getTime() - new Date(since).getTime()) / 1000);
    const rows: DriftRow[] = payments.map((p) => {
      const issue = issueOf(p);
      const otherAmount = issue === 'amount_review' && p.status === 'succeeded';
      return {
        issue,
        paymentId: p.id,
        invoiceId: p.invoice_id,
        checkoutRequestId: p.checkout_request_id,
        since: new Date(p.initiated_at),
        ageSeconds: age(p.initiated_at),
        detail: p.flagged_reason,
        suggestedAction: otherAmount ? SUCCEEDED_WITH_OTHER_AMOUNT : ACTIONS[issue],
      };
    });
    for (const c of callbacks) {
      rows.push({
        issue: 'unmatched_callback',
        paymentId: null,
        invoiceId: null,
        checkoutRequestId: c.externalId.split(':')[0] ?? null,
        since: c.receivedAt,
        ageSeconds: age(c.receivedAt),
        detail: c.externalId,
        suggestedAction: ACTIONS.unmatched_callback,
      });
    }
    return rows;
  }

  /** One pass: release dead pushes, report drift, queue a status query for stuck pushes. */
  async run(): Promise<DriftRow[]> {
    await this.releaseDeadPushes();
    const drift = await this.findDrift();
    const minute = Math.floor(this.clock.now().getTime() / 60_000);
    // Without a CheckoutRequestID the query step ends the payment as a timeout.
    const queryable = drift.filter(
      (d) => (d.issue === 'stuck_pending' || d.issue === 'stuck_unconfirmed') && d.paymentId,
    );
    if (queryable.length > 0) {
      await this.signals.transaction(async (manager) => {
        for (const d of queryable) {
          // A high n puts the query past the polling window: it reports, it does not reschedule.
          await this.outbox.enqueue(manager, {
            kind: STK_QUERY_KIND,
            idempotencyKey: `mpesa.query:${d.paymentId}:reconcile:${minute}`,
            payload: { paymentId: d.paymentId, n: 1000 },
            maxAttempts: 1,
          });
        }
      });
    }
    if (drift.length > 0) {
      this.logger.warn(
        {
          drift: drift.length,
          byIssue: drift.reduce<Record<string, number>>((acc, d) => {
            acc[d.issue] = (acc[d.issue] ?? 0) + 1;
            return acc;
          }, {}),
          queried: queryable.length,
        },
        'payment reconciliation found drift',
      );
    }
    return drift;
  }

  /**
   * A push whose outbox row died (errors on every try) never reached Daraja: fail the payment
   * so it stops holding the invoice, and tell the invoice machine it was rejected.
   */
  async releaseDeadPushes(): Promise<number> {
    const dead = await this.payments.findInitiatingWithDeadPush(
      this.dataSource.manager,
      STK_PUSH_KIND,
    );
    for (const row of dead) {
      await this.signals.transaction(async (manager) => {
        const now = this.clock.now();
        const failed = await this.payments.failDeadPush(
          manager,
          row.id,
          `push never sent: ${row.last_error ?? 'outbox row dead'}`.slice(0, 500),
          now,
        );
        if (!failed) return;
        await this.runner.send(
          INVOICE_MACHINE_KIND,
          row.invoice_id,
          { type: 'STK_REJECTED', paymentId: row.id, code: 'push_dead', message: 'not sent' },
          { manager, source: 'reconciliation', dedupeKey: `payment:${row.id}:stk-dead` },
        );
      });
    }
    if (dead.length > 0) this.logger.warn({ count: dead.length }, 'released dead STK pushes');
    return dead.length;
  }
}
