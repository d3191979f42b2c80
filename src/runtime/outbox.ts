import type { EntityManager } from 'typeorm';
import type { OutboxRow } from './outbox.entity';
import type { RuntimeSignals } from './runtime-signals';

export interface NewOutboxRow {
  kind: string;
  /** Unique forever: the same key twice is one row. */
  idempotencyKey: string;
  payload: Record<string, unknown>;
  maxAttempts?: number;
  notBefore?: Date;
  machineKind?: string;
  entityId?: string;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** Adds a row in the caller's transaction. Returns false when the key already existed. */
export async function enqueueOutbox(
  manager: EntityManager,
  signals: RuntimeSignals,
  row: NewOutboxRow,
): Promise<boolean> {
  const inserted: unknown[] = await manager.query(
    `INSERT INTO outbox (kind, payload, idempotency_key, max_attempts, next_attempt_at, machine_kind, entity_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now())
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    [
      row.kind,
      row.payload,
      row.idempotencyKey,
      row.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      row.notBefore ?? new Date(0),
      row.machineKind ?? null,
      row.entityId ?? null,
    ],
  );
  if (inserted.length > 0) signals.outboxChanged(manager);
  return inserted.length > 0;
}

export interface MachineEventLike {
  type: string;
  [key: string]: unknown;
}

/**
 * What a handler reports. `event` (optional) goes back to the machine that enqueued the row
 * (machine_kind/entity_id), so provider results become machine events.
 */
export type OutboxResult =
  | { status: 'done'; event?: MachineEventLike }
  | { status: 'retry'; error: string; retryAfterMs?: number }
  | { status: 'permanent'; error: string; event?: MachineEventLike };

export interface OutboxHandler {
  handle(row: OutboxRow): Promise<OutboxResult>;
  /** Event for the owning machine when the row ends dead after its last retry. */
  onDead?(row: OutboxRow, error: string): MachineEventLike | undefined;
}

/** Exponential backoff with equal jitter (half the ceiling plus a random half): ~2 s, 4 s, 8 s … capped at 10 minutes. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(600_000, 1_000 * 2 ** Math.max(1, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
