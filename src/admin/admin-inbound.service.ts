import { idCursor, keysetPage } from './id-cursor';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/http/domain-error';
import { sanitizeForLog } from '../common/logging/redact';
import { Clock } from '../runtime/clock';
import { InboundQueue } from '../runtime/inbound-queue';
import { RETRIED_INBOUND_PROVIDERS } from '../runtime/inbound-retries';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { type AdminInboundRow, AdminInboundQuery } from './admin-inbound.query';
import { ADMIN_DEFAULT_PAGE } from './dto/admin-page.dto';
import type { ListInboundEventsParams } from './dto/list-inbound-events.dto';

export interface AdminInboundEvent {
  id: string;
  provider: string;
  /** SMS: inbound (a message) or status (a delivery report); WhatsApp: message or status. */
  kind: string;
  externalId: string;
  status: 'dead' | 'pending';
  /** Handler runs so far. */
  attempts: number;
  /** Type of the last failure (never its message, which may quote the customer's text). */
  lastError: string | null;
  receivedAt: string;
  nextAttemptAt: string | null;
  deadAt: string | null;
  ageSeconds: number;
  /** Phone numbers masked, message text and profile names removed. */
  payload: unknown;
}

const CURSOR = idCursor('i');

/**
 * Inbound SMS and WhatsApp events that were acknowledged but not processed: the dead ones (out of
 * attempts, or a report/status that never found its message) and those still pending. STK
 * callbacks are the payments code's (GET /admin/reconciliation) and never listed here.
 */
@Injectable()
export class AdminInboundService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly inbound: AdminInboundQuery,
    private readonly queue: InboundQueue,
    private readonly signals: RuntimeSignals,
    private readonly clock: Clock,
  ) {}

  async list(
    query: ListInboundEventsParams,
  ): Promise<{ items: AdminInboundEvent[]; nextCursor: string | null }> {
    const limit = query.limit ?? ADMIN_DEFAULT_PAGE;
    const rows = await this.inbound.page(
      this.dataSource.manager,
      {
        providers: query.provider ? [query.provider] : RETRIED_INBOUND_PROVIDERS,
        status: query.status ?? 'dead',
        beforeId: query.cursor ? CURSOR.decode(query.cursor) : undefined,
      },
      limit + 1,
    );
    const now = this.clock.now().getTime();
    return keysetPage(rows, limit, CURSOR, (row) => toItem(row, now));
  }

  /**
   * A dead (or waiting) event gets a fresh budget of attempts and is queued again: the outbox
   * dispatcher hands it to its consumer once this commits.
   */
  async retry(id: string): Promise<AdminInboundEvent> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Inbound event');
    const row = await this.signals.transaction(async (tx) => {
      const outcome = await this.queue.reopen(tx, RETRIED_INBOUND_PROVIDERS, id, this.clock.now());
      if (outcome === 'missing') throw new NotFoundError('Inbound event');
      if (outcome === 'processed') {
        throw new ConflictError(
          'inbound_event_processed',
          `Inbound event ${id} was processed already`,
        );
      }
      return this.inbound.findById(tx, id);
    });
    if (!row) throw new NotFoundError('Inbound event');
    return toItem(row, this.clock.now().getTime());
  }
}

const iso = (value: Date | null): string | null =>
  value === null ? null : new Date(value).toISOString();

function toItem(row: AdminInboundRow, now: number): AdminInboundEvent {
  const received = new Date(row.received_at).getTime();
  const payload =
    row.payload && typeof row.payload === 'object' && !Array.isArray(row.payload)
      ? { ...(row.payload as Record<string, unknown>), profileName: undefined }
      : row.payload;
  return {
    id: String(row.id),
    provider: row.provider,
    kind: row.kind,
    externalId: row.external_id,
    status: row.dead_at === null ? 'pending' : 'dead',
    attempts: Number(row.attempts),
    lastError: row.last_error,
    receivedAt: new Date(received).toISOString(),
    nextAttemptAt: iso(row.next_attempt_at),
    deadAt: iso(row.dead_at),
    ageSeconds: Math.max(0, Math.round((now - received) / 1000)),
    payload: sanitizeForLog(payload),
  };
}
