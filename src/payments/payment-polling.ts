import type { EntityManager } from 'typeorm';
import { enqueueOutbox } from '../runtime/outbox';
import type { RuntimeSignals } from '../runtime/runtime-signals';
import { queryDelayMs, STK_QUERY_KIND } from './payment-polling.constants';

export interface StkQueryPayload {
  paymentId: string;
  /** 1 for the first query after the push; the key makes each step one row. */
  n: number;
}

/** Schedules the n-th status check of a payment as a delayed outbox row (a database timer). */
export function scheduleStkQuery(
  manager: EntityManager,
  signals: RuntimeSignals,
  paymentId: string,
  n: number,
  now: Date,
): Promise<boolean> {
  const payload: StkQueryPayload = { paymentId, n };
  return enqueueOutbox(manager, signals, {
    kind: STK_QUERY_KIND,
    idempotencyKey: `mpesa.query:${paymentId}:${n}`,
    payload: { ...payload },
    notBefore: new Date(now.getTime() + queryDelayMs(n)),
    // Query errors are answered by the next scheduled step, not by outbox retries.
    maxAttempts: 3,
  });
}
