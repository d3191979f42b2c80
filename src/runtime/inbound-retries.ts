import type { DataSource, EntityManager } from 'typeorm';
import {
  type ClaimedInboundEvent,
  InboundEventRepository,
  INBOUND_DUE,
  INBOUND_LEASE_MS,
  INBOUND_LEASED_UNTIL,
} from './inbound-event.repository';
import { backoffMs } from './outbox';

/**
 * Retry bookkeeping of inbound events (webhooks a provider will not send again once we answered
 * 200, or stopped retrying): every handler run is an attempt; a failed one is tried again after
 * the outbox's backoff with jitter; when the attempts run out the event is dead, visibly (admin
 * API, metric), never silently closed. Columns: attempts, next_attempt_at, last_error, dead_at.
 *
 * Only the channels that hand events to a handler use this (Africa's Talking, WhatsApp). STK
 * callbacks (provider 'mpesa') belong to the payments code and the internal ledgers ('bot',
 * 'machine', …) are written processed: none of them is ever claimed or killed here.
 */

export { type ClaimedInboundEvent, INBOUND_DUE, INBOUND_LEASE_MS, INBOUND_LEASED_UNTIL };

/** The caller's transaction, or the pool for a statement of its own. */
type Db = EntityManager | DataSource;

/** Events nobody could ever handle (e.g. a status for a message we have no row of) die after this. */
export const INBOUND_GIVE_UP_MS = 3_600_000;

/** The providers whose inbound events are retried here and may end dead. */
export const RETRIED_INBOUND_PROVIDERS = ['africastalking', 'whatsapp'] as const;

/** Default budget of handler runs per event (INBOUND_MAX_ATTEMPTS). */
export const DEFAULT_INBOUND_MAX_ATTEMPTS = 8;

const inboundEvents = new InboundEventRepository();

function managerOf(db: Db): EntityManager {
  return 'manager' in db ? db.manager : db;
}

/**
 * Takes an event for one handler run: counts the attempt and leases it. `takeOverFailed` lets a
 * provider's own retry take an event whose last run failed without waiting for the backoff (the
 * provider is retrying now; the sweeper is the slower path). Null when it is processed, dead, in
 * flight elsewhere, or (without takeOverFailed) not due yet.
 */
export async function claimInboundEvent(
  db: Db,
  provider: string,
  key: { id: string } | { externalId: string },
  options: { takeOverFailed?: boolean } = {},
): Promise<ClaimedInboundEvent | null> {
  return inboundEvents.claim(managerOf(db), provider, key, options.takeOverFailed ?? false);
}

/**
 * Records a failed run: the event is due again after the backoff (or at once with `retryNow`,
 * for a caller that gates its retries on something else), or dead once `attempts` reached
 * `maxAttempts`. `error` is stored for operators: pass a type or code, never a message that may
 * quote what the customer wrote.
 */
export async function failInboundEvent(
  db: Db,
  id: string,
  failure: { error: string; attempts: number; maxAttempts: number; retryNow?: boolean },
  random: () => number = Math.random,
): Promise<'retry' | 'dead'> {
  return inboundEvents.failAndReschedule(managerOf(db), id, {
    error: failure.error,
    maxAttempts: failure.maxAttempts,
    retryInMs: failure.retryNow ? 0 : backoffMs(failure.attempts, random),
  });
}

/** Closes a handled event. */
export async function markInboundProcessed(db: Db, id: string): Promise<void> {
  await inboundEvents.markProcessed(managerOf(db), id);
}

/**
 * A short, operator-facing description of a handler failure: the error's type and code. The
 * message is left out on purpose: handlers may quote the customer's text in it.
 */
export function inboundErrorType(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number'
    ? `${error.name} (${String(code)})`
    : error.name;
}
