import type { EntityManager } from 'typeorm';
import type { OutboxService } from '../runtime/outbox';
import { queryDelayMs, STK_QUERY_KIND } from './payment-polling.constants';

export interface StkQueryPayload {
  paymentId: string;
  /** 1 for the first query after the push; the key makes each step one row. */
  n: number;
}

/** Schedules the n-th status check of a payment as a delayed outbox row (a database timer). */
export function scheduleStkQuery(
  tx: EntityManager,
  outbox: OutboxService,
  paymentId: string,
  n: number,
  now: Date,
): Promise<boolean> {
  const payload: StkQueryPayload = { paymentId, n };
  return outbox.enqueue(tx, {
    kind: STK_QUERY_KIND,
    idempotencyKey: `mpesa.query:${paymentId}:${n}`,
    payload: { ...payload },
    notBefore: new Date(now.getTime() + queryDelayMs(n)),
    // Query errors are answered by the next scheduled step, not by outbox retries.
    maxAttempts: 3,
  });
}
