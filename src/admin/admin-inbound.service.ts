import { idCursor, keysetPage } from './id-cursor';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/http/domain-error';
import { sanitizeForLog } from '../common/logging/redact';
import { queryRows } from '../database/sql';
import { Clock } from '../runtime/clock';
import { RETRIED_INBOUND_PROVIDERS } from '../runtime/inbound-retries';
import { ADMIN_DEFAULT_PAGE } from './dto/admin-page.dto';
import type { ListInboundEventsParams } from './dto/list-inbound-events.dto';

interface InboundRow {
  id: string;
  provider: string;
  external_id: string;
  kind: string;
  payload: unknown;
  attempts: number;
  last_error: string | null;
  received_at: Date;
  next_attempt_at: Date | null;
  dead_at: Date | null;
  processed_at: Date | null;
}

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

const COLUMNS = `id, provider, external_id,
  CASE WHEN provider = 'whatsapp' THEN coalesce(payload->>'kind', 'unknown')
       ELSE split_part(external_id, ':', 1) END AS kind,
  payload, attempts, last_error, received_at, next_attempt_at, dead_at, processed_at`;

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
    private readonly clock: Clock,
  ) {}

  async list(
    query: ListInboundEventsParams,
  ): Promise<{ items: AdminInboundEvent[]; nextCursor: string | null }> {
    const limit = query.limit ?? ADMIN_DEFAULT_PAGE;
    const params: unknown[] = [query.provider ? [query.provider] : [...RETRIED_INBOUND_PROVIDERS]];
    const where = [
      `provider = ANY($1::text[])`,
      `processed_at IS NULL`,
      (query.status ?? 'dead') === 'dead' ? `dead_at IS NOT NULL` : `dead_at IS NULL`,
    ];
    if (query.cursor) {
      params.push(CURSOR.decode(query.cursor));
      where.push(`id < $${params.length}::bigint`);
    }
    params.push(limit + 1);
    const rows = await queryRows<InboundRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM inbound_events WHERE ${where.join(' AND ')}
        ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const now = this.clock.now().getTime();
    return keysetPage(rows, limit, CURSOR, (row) => toItem(row, now));
  }

  /**
   * A dead (or waiting) event gets a fresh budget of attempts and is due now: the sweepers (SMS
   * every SMS_INBOUND_SWEEP_INTERVAL_SECONDS, WhatsApp every 5 s) hand it to its handler again.
   */
  async retry(id: string): Promise<AdminInboundEvent> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Inbound event');
    const row = await this.dataSource.transaction(async (manager) => {
      const [current] = await queryRows<{ processed_at: Date | null }>(
        manager,
        `SELECT processed_at FROM inbound_events
          WHERE id = $1 AND provider = ANY($2::text[]) FOR UPDATE`,
        [id, [...RETRIED_INBOUND_PROVIDERS]],
      );
      if (!current) throw new NotFoundError('Inbound event');
      if (current.processed_at !== null) {
        throw new ConflictError(
          'inbound_event_processed',
          `Inbound event ${id} was processed already`,
        );
      }
      const [updated] = await queryRows<InboundRow>(
        manager,
        `UPDATE inbound_events SET attempts = 0, dead_at = NULL, next_attempt_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id],
      );
      return updated;
    });
    return toItem(row, this.clock.now().getTime());
  }
}

const iso = (value: Date | null): string | null =>
  value === null ? null : new Date(value).toISOString();

function toItem(row: InboundRow, now: number): AdminInboundEvent {
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
