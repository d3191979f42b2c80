import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import type { PaymentStatus } from './payment.record';

/** A payment that drifted from what M-PESA knows, as reconciliation reports it. */
export interface DriftingPayment {
  id: string;
  invoice_id: string;
  status: PaymentStatus;
  outcome: string | null;
  checkout_request_id: string | null;
  initiated_at: Date;
  flagged_reason: string | null;
  review_event_id: string | null;
  overpaid_amount: number | null;
}

/** The payments behind the reconciliation report. Read-only. */
@Injectable()
export class ReconciliationQuery {
  /** Open since before `stuckBefore`, held for review, flagged or of unknown result; oldest first. */
  driftingPayments(tx: EntityManager, stuckBefore: Date): Promise<DriftingPayment[]> {
    return queryRows<DriftingPayment>(
      tx,
      `SELECT id, invoice_id, status, outcome, checkout_request_id, initiated_at, flagged_reason,
              review_event_id, overpaid_amount
         FROM payments
        WHERE (status IN ('initiating', 'pending') AND initiated_at < $1)
           OR status = 'review'
           OR (status = 'succeeded' AND flagged_reason IS NOT NULL AND reviewed_at IS NULL)
           OR (status = 'failed' AND outcome = 'unknown' AND reviewed_at IS NULL)
        ORDER BY initiated_at
        LIMIT 500`,
      [stuckBefore],
    );
  }
}
