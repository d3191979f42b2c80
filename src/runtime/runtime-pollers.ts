import { AppConfig } from '../config/app-config';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from './clock';
import { MachineRunner } from './machine-runner';
import { OutboxDispatcher } from './outbox-dispatcher';
import { OutboxHandlers } from './outbox-handlers';
import { OutboxRepository } from './outbox.repository';
import { RuntimeSignals } from './runtime-signals';
import { TimerFirer } from './timer-firer';
import { TimerRepository } from './timer.repository';

/**
 * Drives the outbox dispatcher and the timer firer: right after a commit that touched them,
 * and every second as a backstop (rows from other instances, retries coming due, clock moves).
 */
@Injectable()
export class RuntimePollers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RuntimePollers.name);
  readonly dispatcher: OutboxDispatcher;
  readonly firer: TimerFirer;
  private active = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    @InjectDataSource() dataSource: DataSource,
    handlers: OutboxHandlers,
    clock: Clock,
    runner: MachineRunner,
    private readonly signals: RuntimeSignals,
    config: AppConfig,
    outbox: OutboxRepository,
    timers: TimerRepository,
  ) {
    this.dispatcher = new OutboxDispatcher(
      dataSource,
      handlers,
      clock,
      runner,
      {
        concurrency: config.outbox.concurrency,
        leaseMs: config.outbox.leaseSeconds * 1000,
      },
      outbox,
    );
    this.firer = new TimerFirer(signals, runner, clock, null, timers);
  }

  onApplicationBootstrap(): void {
    this.active = true;
    this.unsubscribe.push(this.signals.onOutbox(() => this.drainOutbox()));
    this.unsubscribe.push(this.signals.onTimers(() => this.fireTimers()));
    // Whatever a previous process committed but did not deliver goes out now.
    this.drainOutbox();
    this.fireTimers();
  }

  async onApplicationShutdown(): Promise<void> {
    this.active = false;
    this.unsubscribe.forEach((u) => u());
    await Promise.allSettled([this.dispatcher.drainInProgress(), this.firer.inProgress()]);
  }

  @Interval('runtime-poll', 1_000)
  poll(): void {
    this.drainOutbox();
    this.fireTimers();
  }

  drainOutbox(): void {
    if (!this.active) return;
    this.dispatcher
      .drain()
      .catch((error: unknown) => this.logger.error({ err: error }, 'outbox drain failed'));
  }

  fireTimers(): void {
    if (!this.active) return;
    this.firer
      .fireDue()
      .catch((error: unknown) => this.logger.error({ err: error }, 'timer firing failed'));
  }
}
