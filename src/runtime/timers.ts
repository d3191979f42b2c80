import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RuntimeSignals } from './runtime-signals';
import { type NewTimer, TimerRepository } from './timer.repository';

export type { NewTimer };

/** The way into the timers for every feature: they join the caller's transaction. */
@Injectable()
export class TimerService {
  constructor(
    private readonly timers: TimerRepository,
    private readonly signals: RuntimeSignals,
  ) {}

  /** Arms (or re-arms) the timer with this key. */
  async set(tx: EntityManager, timer: NewTimer): Promise<void> {
    await this.timers.arm(tx, timer);
    // The firer looks again right after the commit: the timer may be due already.
    this.signals.timersChanged(tx);
  }

  async cancel(tx: EntityManager, key: string): Promise<void> {
    await this.timers.cancel(tx, key);
  }
}
