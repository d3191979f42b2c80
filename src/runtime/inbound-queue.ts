import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { queryRows } from '../database/sql';
import { inboundErrorType } from './inbound-retries';
import { enqueueOutbox, type OutboxHandler, type OutboxResult } from './outbox';
import type { OutboxRow } from './outbox.entity';
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
  ) {}

  /** Records the events in the caller's transaction; returns the ids of those that were new. */
  async record(
    tx: EntityManager,
    provider: string,
    events: InboundEventInput[],
  ): Promise<string[]> {
    if (events.length === 0) return [];
    const fresh = await insertEvents(tx, provider, events);
    for (const event of fresh) {
      if (event.recordOnly) continue;
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
    const event = await lockEvent(tx, providers, eventId);
    if (!event) return 'missing';
    if (event.processed) return 'processed';
    await resetAttempts(tx, eventId);
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
    const event = await findOpenEvent(manager, eventId);
    if (!event) return { status: 'done' };
    await countAttempt(manager, eventId, row.attempts);
    try {
      await consumer.handle(event.payload, {
        eventId,
        attempts: row.attempts,
        claim: (tx) => markProcessed(tx, eventId),
      });
      await markProcessed(manager, eventId);
      return { status: 'done' };
    } catch (err) {
      // Only the error's type: a handler's message may quote what the customer wrote.
      const error = inboundErrorType(err);
      const last = row.attempts >= row.maxAttempts;
      await recordFailure(manager, eventId, error, last);
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

// ── inbound_events statements (to move into the runtime's inbound-event repository) ──

async function insertEvents(
  tx: EntityManager,
  provider: string,
  events: InboundEventInput[],
): Promise<{ id: string; recordOnly: boolean }[]> {
  const rows = await queryRows<{ id: string; external_id: string }>(
    tx,
    `INSERT INTO inbound_events (provider, external_id, payload, processed_at)
     SELECT $1, x.value->>'e', x.value->'p', CASE WHEN (x.value->>'r')::boolean THEN now() END
       FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(value, n)
      ORDER BY x.n
     ON CONFLICT (provider, external_id) DO NOTHING
     RETURNING id, external_id`,
    [
      provider,
      JSON.stringify(
        events.map((e) => ({ e: e.externalId, p: e.payload ?? null, r: e.recordOnly === true })),
      ),
    ],
  );
  const recordOnly = new Map(events.map((e) => [e.externalId, e.recordOnly === true]));
  return rows
    .map((r) => ({ id: String(r.id), recordOnly: recordOnly.get(r.external_id) ?? false }))
    .sort((a, b) => Number(a.id) - Number(b.id));
}

async function findOpenEvent(
  manager: EntityManager,
  id: string,
): Promise<{ payload: unknown } | null> {
  const [row] = await queryRows<{ payload: unknown }>(
    manager,
    `SELECT payload FROM inbound_events WHERE id = $1 AND processed_at IS NULL AND dead_at IS NULL`,
    [id],
  );
  return row ?? null;
}

async function lockEvent(
  tx: EntityManager,
  providers: readonly string[],
  id: string,
): Promise<{ provider: string; processed: boolean } | null> {
  const [row] = await queryRows<{ provider: string; processed: boolean }>(
    tx,
    `SELECT provider, processed_at IS NOT NULL AS processed FROM inbound_events
      WHERE id = $1 AND provider = ANY($2::text[]) FOR UPDATE`,
    [id, [...providers]],
  );
  return row ?? null;
}

async function resetAttempts(tx: EntityManager, id: string): Promise<void> {
  await tx.query(
    `UPDATE inbound_events SET attempts = 0, dead_at = NULL, last_error = NULL WHERE id = $1`,
    [id],
  );
}

async function countAttempt(manager: EntityManager, id: string, attempts: number): Promise<void> {
  await manager.query(
    `UPDATE inbound_events SET attempts = GREATEST(attempts, $2), next_attempt_at = NULL
      WHERE id = $1 AND processed_at IS NULL`,
    [id, attempts],
  );
}

async function markProcessed(tx: EntityManager, id: string): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    tx,
    `UPDATE inbound_events SET processed_at = now(), next_attempt_at = NULL, last_error = NULL
      WHERE id = $1 AND processed_at IS NULL RETURNING id`,
    [id],
  );
  return rows.length > 0;
}

async function recordFailure(
  manager: EntityManager,
  id: string,
  error: string,
  dead: boolean,
): Promise<void> {
  await manager.query(
    `UPDATE inbound_events SET last_error = $2, dead_at = CASE WHEN $3::boolean THEN now() END
      WHERE id = $1 AND processed_at IS NULL AND dead_at IS NULL`,
    [id, error.slice(0, 500), dead],
  );
}
