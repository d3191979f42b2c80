import { Logger } from '@nestjs/common';
import type { Clock } from './clock';
import type { MachineRunner } from './machine-runner';
import type { RuntimeSignals } from './runtime-signals';
import { type DueTimerRecord, TimerRepository } from './timer.repository';

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
    private readonly timers: TimerRepository = new TimerRepository(),
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
    let failed: { timer: DueTimerRecord; error: string } | undefined;
    const found = await this.signals.transaction(async (manager) => {
      const timer = await this.timers.lockNextDue(manager, now, this.kinds);
      if (!timer) return false;
      try {
        // A nested transaction is a savepoint: a failing send is undone, the lock on the timer
        // is kept, and its failure is recorded in the same transaction.
        await manager.transaction(async (savepoint) => {
          // Machines are pure: firedAt tells them when, e.g. to keep reminders a day apart.
          const event = { ...timer.event, firedAt: now.toISOString() };
          await this.runner.send(timer.machineKind, timer.entityId, event, {
            source: 'timer',
            dedupeKey: `timer:${timer.id}`,
            manager: savepoint,
          });
        });
        await this.timers.markFired(manager, timer.id, now);
      } catch (error) {
        failed = { timer, error: error instanceof Error ? error.message : String(error) };
        await this.timers.recordFailure(manager, timer.id, {
          error: failed.error.slice(0, 2000),
          at: now,
          gaveUp: timer.attempts + 1 >= MAX_TIMER_ATTEMPTS,
          retryAt: new Date(now.getTime() + 5_000 * 2 ** timer.attempts),
        });
      }
      return true;
    });
    if (failed)
      this.logger.error(
        { timerId: failed.timer.id, kind: failed.timer.machineKind },
        `timer failed: ${failed.error}`,
      );
    return found;
  }
}
