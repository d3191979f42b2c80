import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
 * Handling runs after the answer because providers want one in well under a second.
 */
@Injectable()
export class WhatsAppWebhookService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WhatsAppWebhookService.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(WHATSAPP_EVENT_HANDLER) private readonly handler: WhatsAppEventHandler,
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
   * status that outran its message row). Meant for a periodic job in one place. A status is only
   * retried once its message row exists, so a backlog of statuses for messages we never stored
   * does not starve the rest; events left after `giveUpAfterMs` are closed with a warning.
   */
  async replayUnprocessed(
    options: { olderThanMs?: number; giveUpAfterMs?: number; limit?: number } = {},
  ): Promise<{ replayed: number; handled: number; abandoned: number }> {
    const { olderThanMs = 5_000, giveUpAfterMs = 3_600_000, limit = 200 } = options;
    const abandoned = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE inbound_events SET processed_at = now()
        WHERE provider = $1 AND processed_at IS NULL
          AND received_at < now() - make_interval(secs => $2::float8 / 1000)
        RETURNING id`,
      [WHATSAPP_PROVIDER, giveUpAfterMs],
    );
    const abandonedCount = abandoned.length;
    if (abandonedCount > 0)
      this.logger.warn({ msg: 'WhatsApp events abandoned unhandled', count: abandonedCount });
    const rows = await queryRows<{ id: string; payload: unknown }>(
      this.dataSource,
      `SELECT e.id, e.payload FROM inbound_events e
        WHERE e.provider = $1 AND e.processed_at IS NULL
          AND e.received_at < now() - make_interval(secs => $2::float8 / 1000)
          AND (e.payload->>'kind' IS DISTINCT FROM 'status' OR EXISTS (
            SELECT 1 FROM messages m
             WHERE m.channel = 'whatsapp' AND m.provider_message_id = e.payload->>'id'))
        ORDER BY e.id LIMIT $3`,
      [WHATSAPP_PROVIDER, olderThanMs, limit],
    );
    let handled = 0;
    for (const row of rows)
      if (await this.process(String(row.id), eventFromPayload(row.payload))) handled++;
    return { replayed: rows.length, handled, abandoned: abandonedCount };
  }

  /** Waits for handling that started before shutdown: TypeORM closes the database after this. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Inserts all rows in one statement; returns only those that were not there before. */
  private async record(rows: LedgerRow[]): Promise<{ id: string; event: WhatsAppWebhookEvent }[]> {
    if (rows.length === 0) return [];
    const inserted = await queryRows<{ id: string; external_id: string }>(
      this.dataSource,
      `INSERT INTO inbound_events (provider, external_id, payload)
       SELECT $1, x.value->>'e', x.value->'p'
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
    for (const { id, event } of fresh) await this.process(id, event);
  }

  /** True when the handler succeeded and the event is closed. */
  private async process(id: string, event: WhatsAppWebhookEvent): Promise<boolean> {
    try {
      await this.handler.handle(event);
      await this.markProcessed(id);
      return true;
    } catch (err) {
      const log = { msg: 'WhatsApp event not handled yet', inboundEventId: id, kind: event.kind };
      if (err instanceof UnmatchedStatusError) this.logger.debug(log);
      else this.logger.warn({ ...log, err });
      return false;
    }
  }

  private async markProcessed(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE inbound_events SET processed_at = now() WHERE id = $1 AND processed_at IS NULL`,
      [id],
    );
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) =>
      this.logger.error({ msg: 'WhatsApp event processing crashed', err }),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
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
