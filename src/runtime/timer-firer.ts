import { Logger } from '@nestjs/common';
import { queryRows } from '../database/sql';
import type { Clock } from './clock';
import type { MachineRunner } from './machine-runner';
import type { RuntimeSignals } from './runtime-signals';

interface DueTimer {
  id: string;
  key: string;
  machine_kind: string;
  entity_id: string;
  event: { type: string } & Record<string, unknown>;
  attempts: number;
}

const MAX_TIMER_ATTEMPTS = 5;

/**
 * Fires due timers in due order. Each timer is claimed, sent to its machine and marked fired
 * in one transaction, so a timer fires exactly once even with several firers and crashes.
 */
export class TimerFirer {
  private readonly logger = new Logger(TimerFirer.name);
  private running: Promise<number> | null = null;
  private again = false;

  constructor(
    private readonly signals: RuntimeSignals,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
    /** Only timers of these machine kinds; all when unset. */
    private readonly kinds: string[] | null = null,
  ) {}

  fireDue(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let fired = 0;
      try {
        do {
          this.again = false;
          while (await this.fireNext()) fired += 1;
        } while (this.again);
      } finally {
        this.running = null;
      }
      return fired;
    })();
    return this.running;
  }

  async inProgress(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** Fires the earliest due timer; false when none is due. */
  private async fireNext(): Promise<boolean> {
    const now = this.clock.now();
    let failed: { timer: DueTimer; error: string } | undefined;
    const found = await this.signals.transaction(async (manager) => {
      const [timer] = await queryRows<DueTimer>(
        manager,
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
        [now, this.kinds],
      );
      if (!timer) return false;
      try {
        await manager.query('SAVEPOINT timer_fire');
        // Machines are pure: firedAt tells them when, e.g. to keep reminders a day apart.
        const event = { ...timer.event, firedAt: now.toISOString() };
        await this.runner.send(timer.machine_kind, timer.entity_id, event, {
          source: 'timer',
          dedupeKey: `timer:${timer.id}`,
          manager,
        });
        await manager.query('RELEASE SAVEPOINT timer_fire');
        await manager.query(
          `UPDATE timers SET status = 'fired', fired_at = $2, updated_at = $2 WHERE id = $1`,
          [timer.id, now],
        );
      } catch (error) {
        await manager.query('ROLLBACK TO SAVEPOINT timer_fire');
        failed = { timer, error: error instanceof Error ? error.message : String(error) };
        const gaveUp = timer.attempts + 1 >= MAX_TIMER_ATTEMPTS;
        await manager.query(
          `UPDATE timers SET attempts = attempts + 1, last_error = $2, updated_at = $3,
                  status = CASE WHEN $4 THEN 'cancelled' ELSE status END,
                  due_at = CASE WHEN $4 THEN due_at ELSE $5 END
            WHERE id = $1`,
          [
            timer.id,
            failed.error.slice(0, 2000),
            now,
            gaveUp,
            new Date(now.getTime() + 5_000 * 2 ** timer.attempts),
          ],
        );
      }
      return true;
    });
    if (failed)
      this.logger.error(
        { timerId: failed.timer.id, kind: failed.timer.machine_kind },
        `timer failed: ${failed.error}`,
      );
    return found;
  }
}
