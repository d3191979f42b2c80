import type { EntityManager } from 'typeorm';
import type { RuntimeSignals } from './runtime-signals';

export interface NewTimer {
  key: string;
  dueAt: Date;
  machineKind: string;
  entityId: string;
  event: { type: string } & Record<string, unknown>;
}

/** Arms (or re-arms) the timer with this key. */
export async function setTimer(
  manager: EntityManager,
  signals: RuntimeSignals,
  timer: NewTimer,
): Promise<void> {
  await manager.query(
    `INSERT INTO timers (key, machine_kind, entity_id, event, due_at, status, attempts, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'pending', 0, now(), now())
     ON CONFLICT (key) DO UPDATE
       SET event = EXCLUDED.event, due_at = EXCLUDED.due_at, status = 'pending', attempts = 0,
           last_error = NULL, fired_at = NULL, updated_at = now()`,
    [timer.key, timer.machineKind, timer.entityId, timer.event, timer.dueAt],
  );
  signals.timersChanged(manager);
}

export async function cancelTimer(manager: EntityManager, key: string): Promise<void> {
  await manager.query(
    `UPDATE timers SET status = 'cancelled', updated_at = now() WHERE key = $1 AND status = 'pending'`,
    [key],
  );
}
