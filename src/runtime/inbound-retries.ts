import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
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

type Db = Pick<EntityManager, 'query'>;

/** How long one handler run owns an event before a sweeper (or a provider's retry) may take it over. */
export const INBOUND_LEASE_MS = 60_000;

/** Events nobody could ever handle (e.g. a status for a message we have no row of) die after this. */
export const INBOUND_GIVE_UP_MS = 3_600_000;

/** The providers whose inbound events are retried here and may end dead. */
export const RETRIED_INBOUND_PROVIDERS = ['africastalking', 'whatsapp'] as const;

/** Default budget of handler runs per event (INBOUND_MAX_ATTEMPTS). */
export const DEFAULT_INBOUND_MAX_ATTEMPTS = 8;

const LEASE = `make_interval(secs => ${INBOUND_LEASE_MS / 1000})`;

/**
 * SQL condition on an inbound_events row (alias-free): open, not dead, and due. A row written
 * before these columns existed has no next_attempt_at: it is due one lease after it arrived.
 */
export const INBOUND_DUE = `processed_at IS NULL AND dead_at IS NULL
  AND coalesce(next_attempt_at, received_at + ${LEASE}) <= now()`;

/** The SQL value of next_attempt_at for an event a handler is about to run (its lease). */
export const INBOUND_LEASED_UNTIL = `now() + ${LEASE}`;

export interface ClaimedInboundEvent {
  id: string;
  payload: unknown;
  /** Including the run just claimed. */
  attempts: number;
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
  const [column, value] = 'id' in key ? ['id', key.id] : ['external_id', key.externalId];
  const rows = await queryRows<ClaimedInboundEvent>(
    db,
    `UPDATE inbound_events
        SET attempts = attempts + 1, next_attempt_at = ${INBOUND_LEASED_UNTIL}, last_error = NULL
      WHERE provider = $1 AND ${column} = $2 AND processed_at IS NULL AND dead_at IS NULL
        AND (coalesce(next_attempt_at, received_at + ${LEASE}) <= now()
             OR ($3::boolean AND last_error IS NOT NULL))
      RETURNING id, payload, attempts`,
    [provider, value, options.takeOverFailed ?? false],
  );
  const row = rows[0];
  return row ? { id: String(row.id), payload: row.payload, attempts: Number(row.attempts) } : null;
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
  const delayMs = failure.retryNow ? 0 : backoffMs(failure.attempts, random);
  const rows = await queryRows<{ dead_at: Date | null }>(
    db,
    `UPDATE inbound_events
        SET last_error = $2,
            dead_at = CASE WHEN attempts >= $3 THEN now() END,
            next_attempt_at = CASE WHEN attempts >= $3 THEN NULL
                                   ELSE now() + make_interval(secs => $4::float8 / 1000) END
      WHERE id = $1 AND processed_at IS NULL AND dead_at IS NULL
      RETURNING dead_at`,
    [id, failure.error.slice(0, 500), failure.maxAttempts, delayMs],
  );
  return rows[0]?.dead_at ? 'dead' : 'retry';
}

/** Closes a handled event. */
export async function markInboundProcessed(db: Db, id: string): Promise<void> {
  await db.query(
    `UPDATE inbound_events SET processed_at = now(), next_attempt_at = NULL
      WHERE id = $1 AND processed_at IS NULL`,
    [id],
  );
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
