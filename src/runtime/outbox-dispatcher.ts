import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Clock } from './clock';
import type { MachineRunner } from './machine-runner';
import { backoffMs, type OutboxRow, type MachineEventLike, type OutboxResult } from './outbox';

import type { OutboxHandlers } from './outbox-handlers';
import { type ClaimedOutboxRecord, OutboxRepository } from './outbox.repository';

export interface DispatcherOptions {
  batchSize?: number;
  concurrency?: number;
  /** How long a claim holds before another dispatcher may take the row over. */
  leaseMs?: number;
  random?: () => number;
  /** Only these kinds (a dedicated worker); every kind with a registered handler when unset. */
  kinds?: string[];
}

/**
 * Claims due outbox rows with FOR UPDATE SKIP LOCKED (so any number of dispatchers can run
 * side by side), runs their handlers with bounded concurrency and records the outcome.
 * Delivery is at-least-once: a row whose claimer died is taken over when its lease expires.
 */
export class OutboxDispatcher {
  readonly workerId = `dispatcher-${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger(OutboxDispatcher.name);
  private draining: Promise<number> | null = null;
  private again = false;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly random: () => number;
  private readonly kinds: string[] | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly handlers: OutboxHandlers,
    private readonly clock: Clock,
    private readonly runner: MachineRunner | undefined,
    options: DispatcherOptions = {},
    private readonly outbox: OutboxRepository = new OutboxRepository(),
  ) {
    this.batchSize = options.batchSize ?? 50;
    this.concurrency = options.concurrency ?? 8;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.kinds = options.kinds ?? null;
    // Rows of a kind this instance has no handler for (a newer build's, during a rolling
    // deploy) are left for an instance that has one, instead of being declared dead.
  }

  /** Runs until nothing is due. Concurrent calls share one drain (and trigger one more pass). */
  drain(): Promise<number> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      let total = 0;
      try {
        do {
          this.again = false;
          for (;;) {
            const rows = await this.claim();
            if (rows.length === 0) break;
            total += rows.length;
            await this.runAll(rows);
          }
        } while (this.again);
      } finally {
        this.draining = null;
      }
      return total;
    })();
    return this.draining;
  }

  /** Resolves when the current drain (if any) has finished. */
  async drainInProgress(): Promise<void> {
    await this.draining?.catch(() => undefined);
  }

  private async claim(): Promise<ClaimedOutboxRecord[]> {
    const now = this.clock.now();
    // One statement on its own (no transaction): the claim commits before any handler runs.
    return this.outbox.claimDue(this.dataSource.manager, {
      workerId: this.workerId,
      now,
      leaseUntil: new Date(now.getTime() + this.leaseMs),
      limit: this.batchSize,
      kinds: this.kinds ?? this.handlers.kinds(),
    });
  }

  private async runAll(rows: ClaimedOutboxRecord[]): Promise<void> {
    const queue = [...rows];
    const workers = Array.from({ length: Math.min(this.concurrency, queue.length) }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) await this.runOne(row);
    });
    await Promise.all(workers);
  }

  private async runOne(row: ClaimedOutboxRecord): Promise<void> {
    const handler = this.handlers.get(row.kind);
    let result: OutboxResult;
    if (!handler) {
      result = { status: 'permanent', error: `no handler for outbox kind "${row.kind}"` };
    } else {
      try {
        result = await handler.handle(row);
      } catch (error) {
        result = { status: 'retry', error: error instanceof Error ? error.message : String(error) };
      }
    }
    try {
      await this.record(row, result, handler?.onDead?.bind(handler));
    } catch (error) {
      // The claim stays; the lease expiry hands the row to the next pass.
      this.logger.error(
        { err: error, outboxId: row.id, kind: row.kind },
        'could not record outbox result',
      );
    }
  }

  private async record(
    row: ClaimedOutboxRecord,
    result: OutboxResult,
    onDead: ((row: OutboxRow, error: string) => MachineEventLike | undefined) | undefined,
  ): Promise<void> {
    const now = this.clock.now();
    if (result.status === 'done') {
      await this.feedBack(row, result.event, 'done');
      await this.outbox.complete(this.dataSource.manager, row.id, this.workerId, now);
      return;
    }
    const exhausted = result.status === 'permanent' || row.attempts >= row.maxAttempts;
    if (exhausted) {
      const error = result.error.slice(0, 2000);
      const event =
        result.status === 'permanent' && result.event ? result.event : onDead?.(row, error);
      await this.feedBack(row, event, 'dead');
      await this.outbox.bury(this.dataSource.manager, row.id, this.workerId, error, now);
      this.logger.warn(
        { outboxId: row.id, kind: row.kind, attempts: row.attempts },
        'outbox row is dead',
      );
      return;
    }
    const delay = result.retryAfterMs ?? backoffMs(row.attempts, this.random);
    await this.outbox.retryLater(this.dataSource.manager, row.id, this.workerId, {
      error: result.error.slice(0, 2000),
      at: now,
      retryAt: new Date(now.getTime() + delay),
    });
  }

  private async feedBack(
    row: ClaimedOutboxRecord,
    event: MachineEventLike | undefined,
    outcome: string,
  ): Promise<void> {
    if (!event || !this.runner || !row.machineKind || !row.entityId) return;
    await this.runner.send(row.machineKind, row.entityId, event, {
      source: `outbox:${row.kind}`,
      dedupeKey: `outbox:${row.id}:${outcome}`,
    });
  }
}
