import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

export interface NewTimer {
  key: string;
  dueAt: Date;
  machineKind: string;
  entityId: string;
  event: { type: string } & Record<string, unknown>;
}

/** A due timer, locked by the transaction that fires it. */
export interface DueTimerRecord {
  id: string;
  key: string;
  machineKind: string;
  entityId: string;
  event: { type: string } & Record<string, unknown>;
  /** Failed firings so far. */
  attempts: number;
}

interface DueTimerRow {
  id: string;
  key: string;
  machine_kind: string;
  entity_id: string;
  event: { type: string } & Record<string, unknown>;
  attempts: number;
}

/** Every statement on `timers` except the operators' and reports' reads. */
@Injectable()
export class TimerRepository {
  /** Arms the timer with this key, or re-arms it (a fresh due time and budget). */
  async arm(tx: EntityManager, timer: NewTimer): Promise<void> {
    await tx.query(
      `INSERT INTO timers (key, machine_kind, entity_id, event, due_at, status, attempts, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', 0, now(), now())
       ON CONFLICT (key) DO UPDATE
         SET event = EXCLUDED.event, due_at = EXCLUDED.due_at, status = 'pending', attempts = 0,
             last_error = NULL, fired_at = NULL, updated_at = now()`,
      [timer.key, timer.machineKind, timer.entityId, timer.event, timer.dueAt],
    );
  }

  async cancel(tx: EntityManager, key: string): Promise<void> {
    await tx.query(
      `UPDATE timers SET status = 'cancelled', updated_at = now() WHERE key = $1 AND status = 'pending'`,
      [key],
    );
  }

  /**
   * Locks the earliest due timer (of these machine kinds; all when null). SKIP LOCKED lets
   * several firers run side by side; a timer waits while an earlier one of its machine is pending.
   */
  async lockNextDue(
    tx: EntityManager,
    now: Date,
    kinds: string[] | null,
  ): Promise<DueTimerRecord | null> {
    const [row] = await queryRows<DueTimerRow>(
      tx,
      `SELECT t.id, t.key, t.machine_kind, t.entity_id, t.event, t.attempts FROM timers t
        WHERE t.status = 'pending' AND t.due_at <= $1
          AND ($2::text[] IS NULL OR t.machine_kind = ANY($2::text[]))
          -- one machine's timers fire in due order even with several firers
          AND NOT EXISTS (
            SELECT 1 FROM timers e
             WHERE e.machine_kind = t.machine_kind AND e.entity_id = t.entity_id AND e.status = 'pending'
               AND (e.due_at, e.id) < (t.due_at, t.id))
        ORDER BY t.due_at, t.id
        LIMIT 1
        FOR UPDATE OF t SKIP LOCKED`,
      [now, kinds],
    );
    return row
      ? {
          id: row.id,
          key: row.key,
          machineKind: row.machine_kind,
          entityId: row.entity_id,
          event: row.event,
          attempts: row.attempts,
        }
      : null;
  }

  async markFired(tx: EntityManager, id: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE timers SET status = 'fired', fired_at = $2, updated_at = $2 WHERE id = $1`,
      [id, at],
    );
  }

  /** Counts a failed firing: due again at `retryAt`, or cancelled when the firer gave up. */
  async recordFailure(
    tx: EntityManager,
    id: string,
    failure: { error: string; at: Date; gaveUp: boolean; retryAt: Date },
  ): Promise<void> {
    await tx.query(
      `UPDATE timers SET attempts = attempts + 1, last_error = $2, updated_at = $3,
              status = CASE WHEN $4 THEN 'cancelled' ELSE status END,
              due_at = CASE WHEN $4 THEN due_at ELSE $5 END
        WHERE id = $1`,
      [id, failure.error, failure.at, failure.gaveUp, failure.retryAt],
    );
  }
}
