import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import {
  claimInboundEvent,
  failInboundEvent,
  INBOUND_DUE,
  INBOUND_GIVE_UP_MS,
  INBOUND_LEASED_UNTIL,
  inboundErrorType,
  markInboundProcessed,
} from '../../runtime/inbound-retries';
import type { WhatsAppWebhookEvent } from './whatsapp-events';
import { WHATSAPP_EVENT_HANDLER, type WhatsAppEventHandler } from './whatsapp-inbound.port';
import { queryRows } from './query-rows';
import { UnmatchedStatusError } from './whatsapp-status.recorder';
import { parseWhatsAppWebhook } from './whatsapp-webhook.parser';

export const WHATSAPP_PROVIDER = 'whatsapp';
/** Unknown payloads are kept for diagnosis, but not when they are large. */
const MAX_STORED_UNKNOWN_BYTES = 64 * 1024;

interface LedgerRow {
  externalId: string;
  event: WhatsAppWebhookEvent;
  payload: unknown;
}

/** The dedupe key PROTOCOLS.md §2 prescribes: message id, or (status id, status). */
export function externalIdOf(
  event: WhatsAppWebhookEvent,
  rawBodyHash: string,
  unknownIndex: number,
): string {
  switch (event.kind) {
    case 'message':
      return event.id;
    case 'status':
      return `${event.id}:${event.status}`;
    case 'unknown':
      return unknownIndex === 0 ? rawBodyHash : `${rawBodyHash}:${unknownIndex}`;
  }
}

/**
 * Webhook ingestion: record every event in the inbound_events ledger (duplicates, even
 * concurrent ones, collide on its unique key), answer, then hand each new event to the handler.
 * Handling runs after the answer because providers want one in well under a second. An event
 * whose handling failed (or was cut short by a crash) is offered again by replayUnprocessed, with
 * backoff, up to INBOUND_MAX_ATTEMPTS runs; then it is dead, visibly (GET /admin/inbound-events,
 * invoiceiq_inbound_events{status="dead"}).
 */
@Injectable()
export class WhatsAppWebhookService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WhatsAppWebhookService.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(WHATSAPP_EVENT_HANDLER) private readonly handler: WhatsAppEventHandler,
    private readonly config: AppConfig,
  ) {}

  /** Body already authenticated. Resolves once the events are durably recorded. */
  async receive(body: unknown, rawBody: Buffer): Promise<{ received: number }> {
    const events = parseWhatsAppWebhook(body);
    const hash = createHash('sha256').update(rawBody).digest('hex');
    const rows = new Map<string, LedgerRow>();
    let unknownIndex = 0;
    for (const event of events) {
      const externalId = externalIdOf(event, hash, event.kind === 'unknown' ? unknownIndex++ : 0);
      if (rows.has(externalId)) continue;
      const payload =
        event.kind === 'unknown' && rawBody.length <= MAX_STORED_UNKNOWN_BYTES
          ? { ...event, body }
          : event;
      rows.set(externalId, { externalId, event, payload });
    }
    const fresh = await this.record([...rows.values()]);
    if (fresh.length > 0) this.track(this.processAll(fresh));
    return { received: events.length };
  }

  /**
   * Hands again to the handler the events whose handling failed or was cut short (a crash, a
   * status that outran its message row), once their backoff has passed. Meant for a periodic job;
   * safe on many instances (each event is claimed first). A status is only retried once its
   * message row exists, so a backlog of statuses for messages we never stored does not starve the
   * rest; events left unhandled for `giveUpAfterMs` (since they arrived, or were last due) are
   * marked dead, as are events whose last attempt failed.
   */
  async replayUnprocessed(
    options: { olderThanMs?: number; giveUpAfterMs?: number; limit?: number } = {},
  ): Promise<{ replayed: number; handled: number; dead: number }> {
    const { olderThanMs = 5_000, giveUpAfterMs = INBOUND_GIVE_UP_MS, limit = 200 } = options;
    const abandoned = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE inbound_events
          SET dead_at = now(), next_attempt_at = NULL,
              last_error = coalesce(last_error, 'not handled within ' || $3::text)
        WHERE provider = $1 AND processed_at IS NULL AND dead_at IS NULL
          AND coalesce(next_attempt_at, received_at)
              < now() - make_interval(secs => $2::float8 / 1000)
        RETURNING id`,
      [WHATSAPP_PROVIDER, giveUpAfterMs, describeMs(giveUpAfterMs)],
    );
    if (abandoned.length > 0)
      this.logger.warn({ msg: 'WhatsApp events dead: never handled', count: abandoned.length });
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT e.id FROM inbound_events e
        WHERE e.provider = $1 AND ${INBOUND_DUE}
          AND e.received_at < now() - make_interval(secs => $2::float8 / 1000)
          AND (e.payload->>'kind' IS DISTINCT FROM 'status' OR EXISTS (
            SELECT 1 FROM messages m
             WHERE m.channel = 'whatsapp' AND m.provider_message_id = e.payload->>'id'))
        ORDER BY e.id LIMIT $3`,
      [WHATSAPP_PROVIDER, olderThanMs, limit],
    );
    let replayed = 0;
    let handled = 0;
    let dead = abandoned.length;
    for (const row of rows) {
      const claimed = await claimInboundEvent(this.dataSource, WHATSAPP_PROVIDER, {
        id: String(row.id),
      });
      if (!claimed) continue;
      replayed++;
      const outcome = await this.process(
        claimed.id,
        eventFromPayload(claimed.payload),
        claimed.attempts,
      );
      if (outcome === 'handled') handled++;
      if (outcome === 'dead') dead++;
    }
    return { replayed, handled, dead };
  }

  /** Waits for handling that started before shutdown: TypeORM closes the database after this. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Inserts all rows in one statement; returns only those that were not there before. */
  private async record(rows: LedgerRow[]): Promise<{ id: string; event: WhatsAppWebhookEvent }[]> {
    if (rows.length === 0) return [];
    // Inserted as claimed by this process: it handles them right after answering (attempt 1).
    const inserted = await queryRows<{ id: string; external_id: string }>(
      this.dataSource,
      `INSERT INTO inbound_events (provider, external_id, payload, attempts, next_attempt_at)
       SELECT $1, x.value->>'e', x.value->'p', 1, ${INBOUND_LEASED_UNTIL}
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(value, n)
        ORDER BY x.n
       ON CONFLICT (provider, external_id) DO NOTHING
       RETURNING id, external_id`,
      [WHATSAPP_PROVIDER, JSON.stringify(rows.map((r) => ({ e: r.externalId, p: r.payload })))],
    );
    const byExternalId = new Map(rows.map((r) => [r.externalId, r.event]));
    return inserted
      .map((r) => ({ id: String(r.id), event: byExternalId.get(r.external_id) }))
      .filter((r): r is { id: string; event: WhatsAppWebhookEvent } => r.event !== undefined)
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  private async processAll(fresh: { id: string; event: WhatsAppWebhookEvent }[]): Promise<void> {
    for (const { id, event } of fresh) await this.process(id, event, 1);
  }

  /** One handler run of a claimed event; `attempts` counts this run. */
  private async process(
    id: string,
    event: WhatsAppWebhookEvent,
    attempts: number,
  ): Promise<'handled' | 'retry' | 'dead'> {
    try {
      await this.handler.handle(event);
      await markInboundProcessed(this.dataSource, id);
      return 'handled';
    } catch (err) {
      // A status that outran its message row is retried as soon as the row exists (the replay
      // query waits for it), not after a backoff.
      const unmatched = err instanceof UnmatchedStatusError;
      const next = await failInboundEvent(this.dataSource, id, {
        error: inboundErrorType(err),
        attempts,
        maxAttempts: this.config.inbound.maxAttempts,
        retryNow: unmatched,
      });
      const log = { inboundEventId: id, kind: event.kind, attempts };
      if (next === 'dead') {
        this.logger.error({ msg: 'WhatsApp event dead: no attempts left', ...log, err });
      } else if (unmatched) {
        this.logger.debug({ msg: 'WhatsApp event not handled yet', ...log });
      } else {
        this.logger.warn({ msg: 'WhatsApp event not handled yet', ...log, err });
      }
      return next;
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) =>
      this.logger.error({ msg: 'WhatsApp event processing crashed', err }),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}

function describeMs(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 1000)} s`;
}

/** Events are stored as JSON: dates come back as strings. */
export function eventFromPayload(payload: unknown): WhatsAppWebhookEvent {
  const p = (payload ?? {}) as Record<string, unknown>;
  if ((p.kind === 'message' || p.kind === 'status') && typeof p.timestamp === 'string')
    return {
      ...(p as unknown as WhatsAppWebhookEvent),
      timestamp: new Date(p.timestamp),
    } as WhatsAppWebhookEvent;
  return { kind: 'unknown', reason: typeof p.reason === 'string' ? p.reason : 'stored payload' };
}
