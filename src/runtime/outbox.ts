import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  type ClaimedOutboxRecord,
  DEFAULT_MAX_ATTEMPTS,
  type NewOutboxRow,
  OutboxRepository,
} from './outbox.repository';
import { RuntimeSignals } from './runtime-signals';

export { DEFAULT_MAX_ATTEMPTS, type NewOutboxRow };

/** The outbox row a handler runs: claimed, its attempts counting this run. */
export type OutboxRow = ClaimedOutboxRecord;

/** The way into the outbox for every feature: rows join the caller's transaction. */
@Injectable()
export class OutboxService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly signals: RuntimeSignals,
  ) {}

  /** Adds a row in the caller's transaction. Returns false when the key already existed. */
  async enqueue(tx: EntityManager, row: NewOutboxRow): Promise<boolean> {
    const inserted = await this.outbox.insert(tx, row);
    // The dispatcher runs it right after the commit instead of at its next poll.
    if (inserted) this.signals.outboxChanged(tx);
    return inserted;
  }

  /**
   * An operator's retry: a dead or pending row goes back to the queue with a fresh budget of
   * attempts, due at `at`; the dispatcher is woken after the commit. A running or done row is
   * left alone ('not_retryable', with its status).
   */
  async requeue(
    tx: EntityManager,
    id: string,
    at: Date,
  ): Promise<
    { outcome: 'requeued' } | { outcome: 'missing' } | { outcome: 'not_retryable'; status: string }
  > {
    const status = await this.outbox.lockStatus(tx, id);
    if (status === null) return { outcome: 'missing' };
    if (status !== 'dead' && status !== 'pending') return { outcome: 'not_retryable', status };
    await this.outbox.requeue(tx, id, at);
    this.signals.outboxChanged(tx);
    return { outcome: 'requeued' };
  }
}

const outboxRows = new OutboxRepository();

/** Adds a row in the caller's transaction. Returns false when the key already existed. */
export function enqueueOutbox(
  manager: EntityManager,
  signals: RuntimeSignals,
  row: NewOutboxRow,
): Promise<boolean> {
  return new OutboxService(outboxRows, signals).enqueue(manager, row);
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
