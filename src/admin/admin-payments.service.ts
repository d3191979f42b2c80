import { Inject, Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '../common/http/domain-error';
import { maskPhone } from '../common/logging/redact';
import { RuntimeSignals } from '../runtime/runtime-signals';
import type { PaymentRow } from '../payments/payment.record';
import { PaymentResultsService } from '../payments/payment-results.service';
import { PaymentReviewService, type ReviewDecision } from '../payments/payment-review.service';
import { PaymentsService } from '../payments/payments.service';
import {
  PAYMENT_PROVIDER,
  type PaymentProvider,
  type StkQueryResult,
} from '../payments/payment-provider.port';

export interface AdminPayment {
  id: string;
  invoiceId: string;
  attempt: number;
  phone: string;
  amount: number;
  status: string;
  checkoutRequestId: string | null;
  outcome: string | null;
  resultCode: number | null;
  resultDesc: string | null;
  receipt: string | null;
  /** M-PESA's amount when it differs from `amount` (the payment was held for review). */
  paidAmount: number | null;
  flaggedReason: string | null;
  /** Money taken beyond what the invoice still owed: refund it to the customer. */
  overpaidAmount: number | null;
  /** How the M-PESA result found this payment; amount_and_time: a lost CheckoutRequestID. */
  matchedBy: PaymentRow['matched_by'];
  review: PaymentReview | null;
  initiatedAt: string;
  /** When the push to Daraja started; null: it never did. */
  pushStartedAt: string | null;
  completedAt: string | null;
}

/** An operator's decision on a payment that was held for review. */
export interface PaymentReview {
  decision: 'accepted' | 'rejected';
  note: string;
  at: string;
}

function reviewOf(row: PaymentRow): PaymentReview | null {
  return row.review_decision && row.review_note && row.reviewed_at
    ? {
        decision: row.review_decision,
        note: row.review_note,
        at: new Date(row.reviewed_at).toISOString(),
      }
    : null;
}

export interface RequeryResponse {
  payment: AdminPayment;
  /** What M-PESA answered to the STK query. */
  query: StkQueryResult;
}

const SOURCE = 'admin';

/** An operator's "ask M-PESA now" for a payment stuck open, and decisions on held payments. */
@Injectable()
export class AdminPaymentsService {
  constructor(
    private readonly payments: PaymentsService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly results: PaymentResultsService,
    private readonly review: PaymentReviewService,
    private readonly signals: RuntimeSignals,
  ) {}

  async settleReview(id: string, decision: ReviewDecision, note: string): Promise<AdminPayment> {
    const payment = await this.load(id);
    await this.signals.transaction((tx) =>
      this.review.settle(tx, payment.id, decision, note, SOURCE),
    );
    return toAdminPayment(await this.load(payment.id));
  }

  async requery(id: string): Promise<RequeryResponse> {
    const payment = await this.load(id);
    if (payment.status !== 'initiating' && payment.status !== 'pending') {
      throw new ConflictError(
        'payment_final',
        `Payment is already ${payment.status}: there is nothing to ask M-PESA`,
        { status: payment.status },
      );
    }
    if (!payment.checkout_request_id) {
      throw new ConflictError(
        'no_checkout_id',
        'M-PESA never acknowledged this push (no CheckoutRequestID): there is nothing to query',
      );
    }
    const answer = await this.provider.stkQuery(payment.checkout_request_id);
    if (answer.status === 'final') {
      // The same path as a callback, so the invoice machine hears about it exactly once.
      await this.signals.transaction((tx) =>
        this.results.applyFinalResult(
          tx,
          payment.id,
          {
            resultCode: answer.resultCode,
            rawResultCode: answer.rawResultCode,
            resultDesc: answer.resultDesc,
          },
          SOURCE,
        ),
      );
    }
    return { payment: toAdminPayment(await this.load(payment.id)), query: answer };
  }

  private async load(id: string): Promise<PaymentRow> {
    const row = await this.payments.findById(id);
    if (!row) throw new NotFoundError('Payment');
    return row;
  }
}

export function toAdminPayment(row: PaymentRow): AdminPayment {
  return {
    id: row.id,
    invoiceId: row.invoice_id,
    attempt: row.attempt,
    phone: maskPhone(row.phone),
    amount: Number(row.amount),
    status: row.status,
    checkoutRequestId: row.checkout_request_id,
    outcome: row.outcome,
    resultCode: row.result_code,
    resultDesc: row.result_desc,
    receipt: row.mpesa_receipt,
    paidAmount: row.paid_amount === null ? null : Number(row.paid_amount),
    flaggedReason: row.flagged_reason,
    overpaidAmount: row.overpaid_amount === null ? null : Number(row.overpaid_amount),
    matchedBy: row.matched_by,
    review: reviewOf(row),
    initiatedAt: new Date(row.initiated_at).toISOString(),
    pushStartedAt: row.push_started_at ? new Date(row.push_started_at).toISOString() : null,
    completedAt: row.completed_at ? new Date(row.completed_at).toISOString() : null,
  };
}
