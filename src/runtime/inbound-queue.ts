import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { InboundEventRepository } from './inbound-event.repository';
import { inboundErrorType } from './inbound-retries';
import { enqueueOutbox, type OutboxHandler, type OutboxResult } from './outbox';
import type { OutboxRow } from './outbox';
import { OutboxHandlers } from './outbox-handlers';
import { RuntimeSignals } from './runtime-signals';

/** One provider event to record: `externalId` is the provider's dedupe key. */
export interface InboundEventInput {
  externalId: string;
  payload: unknown;
  /** Kept for the record only (a body we refuse, an event nobody acts on): no work is queued. */
  recordOnly?: boolean;
}

/** What a consumer gets with each event besides its payload. */
export interface InboundDelivery {
  eventId: string;
  /** Runs of this event so far, including this one. */
  attempts: number;
  /**
   * Marks the event handled inside the consumer's own transaction, so its effects and the mark
   * commit together; false when an earlier run already handled it (then do nothing).
   */
  claim(tx: EntityManager): Promise<boolean>;
}

/**
 * Acts on one recorded provider event. It may run more than once (a crash after the provider
 * call, a lease that expired): a consumer either claims the event inside its transaction or is
 * idempotent. A throw is a failed attempt, tried again with the outbox's backoff until the
 * attempts run out; then the event is dead, visibly.
 */
export interface InboundConsumer {
  handle(payload: unknown, delivery: InboundDelivery): Promise<void>;
}

/** The outbox kind that carries a provider's events to its consumer. */
export function inboundOutboxKind(provider: string): string {
  return `inbound.${provider}`;
}

/**
 * Inbound is one more outbox kind. A webhook records its events in the inbound_events ledger
 * (one row per provider event: duplicates, even concurrent ones, collide on its unique key) and,
 * in the same transaction, one outbox row per new event; then it answers. The outbox dispatcher
 * hands the event to the consumer the feature registered, with its retries, leases and dead
 * rows. The ledger keeps the operator's view (attempts, last error, dead) in step.
 */
@Injectable()
export class InboundQueue {
  private readonly logger = new Logger(InboundQueue.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly signals: RuntimeSignals,
    private readonly handlers: OutboxHandlers,
    private readonly config: AppConfig,
    private readonly inboundEvents: InboundEventRepository,
  ) {}

  /** Records the events in the caller's transaction; returns the ids of those that were new. */
  async record(
    tx: EntityManager,
    provider: string,
    events: InboundEventInput[],
  ): Promise<string[]> {
    if (events.length === 0) return [];
    const fresh = await this.inboundEvents.insertManyOnce(
      tx,
      provider,
      events.map((e) => ({
        externalId: e.externalId,
        payload: e.payload,
        processed: e.recordOnly === true,
      })),
    );
    const recordOnly = new Set(events.filter((e) => e.recordOnly).map((e) => e.externalId));
    for (const event of fresh) {
      if (recordOnly.has(event.externalId)) continue;
      await this.enqueue(tx, provider, event.id, `inbound:${provider}:${event.id}`);
    }
    return fresh.map((e) => e.id);
  }

  /**
   * An operator's retry of a dead (or waiting) event: a fresh budget of attempts, queued under a
   * new outbox key since the first row is spent. 'processed' and 'missing' change nothing.
   */
  async reopen(
    tx: EntityManager,
    providers: readonly string[],
    eventId: string,
    at: Date,
  ): Promise<'reopened' | 'processed' | 'missing'> {
    const event = await this.inboundEvents.lockAmong(tx, providers, eventId);
    if (!event) return 'missing';
    if (event.processed) return 'processed';
    await this.inboundEvents.resetAttempts(tx, eventId);
    const key = `inbound:${event.provider}:${eventId}:retry:${at.getTime()}`;
    await this.enqueue(tx, event.provider, eventId, key);
    return 'reopened';
  }

  /** Names the consumer of a provider's events (once per provider, at module init). */
  consume(provider: string, consumer: InboundConsumer): void {
    this.handlers.register(
      inboundOutboxKind(provider),
      new InboundOutboxHandler(this, provider, consumer),
    );
  }

  private async enqueue(tx: EntityManager, provider: string, eventId: string, key: string) {
    await enqueueOutbox(tx, this.signals, {
      kind: inboundOutboxKind(provider),
      idempotencyKey: key,
      payload: { inboundEventId: eventId },
      maxAttempts: this.config.inbound.maxAttempts,
    });
  }

  /** One outbox run of one event. */
  async run(provider: string, consumer: InboundConsumer, row: OutboxRow): Promise<OutboxResult> {
    const eventId = String(row.payload.inboundEventId);
    const manager = this.dataSource.manager;
    const event = await this.inboundEvents.findOpen(manager, eventId);
    if (!event) return { status: 'done' };
    await this.inboundEvents.recordAttempt(manager, eventId, row.attempts);
    try {
      await consumer.handle(event.payload, {
        eventId,
        attempts: row.attempts,
        claim: (tx) => this.inboundEvents.markProcessed(tx, eventId),
      });
      await this.inboundEvents.markProcessed(manager, eventId);
      return { status: 'done' };
    } catch (err) {
      // Only the error's type: a handler's message may quote what the customer wrote.
      const error = inboundErrorType(err);
      const last = row.attempts >= row.maxAttempts;
      await this.inboundEvents.recordFailure(manager, eventId, { error, dead: last });
      const log = { inboundEventId: eventId, provider, attempts: row.attempts, error };
      if (last) this.logger.error({ msg: 'inbound event dead: no attempts left', ...log });
      else this.logger.warn({ msg: 'inbound event not handled yet', ...log });
      return last ? { status: 'permanent', error } : { status: 'retry', error };
    }
  }
}

class InboundOutboxHandler implements OutboxHandler {
  constructor(
    private readonly queue: InboundQueue,
    private readonly provider: string,
    private readonly consumer: InboundConsumer,
  ) {}

  handle(row: OutboxRow): Promise<OutboxResult> {
    return this.queue.run(this.provider, this.consumer, row);
  }
}
