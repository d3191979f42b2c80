import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { MessageStatus } from '../message.entity';
import { queryRows } from './query-rows';
import type { WhatsAppEventHandler } from './whatsapp-inbound.port';
import type {
  WhatsAppMessageEvent,
  WhatsAppStatusEvent,
  WhatsAppWebhookEvent,
} from './whatsapp-events';

/**
 * A status for a wamid no messages row carries (yet): the webhook can outrun the sender storing
 * the id it just got back. Thrown so the event stays unprocessed and is replayed later.
 */
export class UnmatchedStatusError extends Error {
  constructor(readonly providerMessageId: string) {
    super('No WhatsApp message row carries this provider message id yet');
    this.name = 'UnmatchedStatusError';
  }
}

/*
 * Statuses arrive out of order and concurrently, so the "never backwards" rule lives inside one
 * UPDATE: PostgreSQL re-reads a row changed by a concurrent update before evaluating the CASE.
 * Rank: queued < sent < failed < delivered < read. A failure after delivery is recorded in
 * failed_at/error_code without hiding that the person got the message; anything else (an
 * inbound 'received' row) ranks highest and is never changed.
 */
const RANK = (expr: string): string =>
  `(CASE ${expr} WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 ` +
  `WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 ELSE 99 END)`;

const TIME_COLUMN = (column: string, status: string): string =>
  `${column} = CASE WHEN $2::text = '${status}' THEN COALESCE(${column}, $3) ELSE ${column} END`;

const UPDATE_STATUS = `
  UPDATE messages SET
    status = CASE WHEN ${RANK('$2::text')} > ${RANK('status')} THEN $2::text ELSE status END,
    ${TIME_COLUMN('sent_at', 'sent')},
    ${TIME_COLUMN('delivered_at', 'delivered')},
    ${TIME_COLUMN('read_at', 'read')},
    ${TIME_COLUMN('failed_at', 'failed')},
    error_code = CASE WHEN $2::text = 'failed' THEN COALESCE($4, error_code) ELSE error_code END,
    error_title = CASE WHEN $2::text = 'failed' THEN COALESCE($5, error_title) ELSE error_title END,
    updated_at = now()
  WHERE channel = 'whatsapp' AND provider_message_id = $1
  RETURNING status`;

/*
 * The message time, not the arrival time, opens the window: a webhook retried hours later must
 * not extend it. Capped at now() against provider clock skew, and never moved backwards.
 */
const TOUCH_INBOUND = `
  WITH at AS (SELECT LEAST($2::timestamptz, now()) AS t),
  c AS (
    UPDATE customers SET last_inbound_at = GREATEST(COALESCE(last_inbound_at, at.t), at.t),
      updated_at = now()
    FROM at WHERE phone = $1 RETURNING 1
  ),
  m AS (
    UPDATE merchants SET last_inbound_at = GREATEST(COALESCE(last_inbound_at, at.t), at.t),
      updated_at = now()
    FROM at WHERE whatsapp_phone = $1 RETURNING 1
  )
  SELECT (SELECT count(*) FROM c)::int AS customers, (SELECT count(*) FROM m)::int AS merchants`;

/**
 * The default WhatsApp event handler: keeps delivery statuses on `messages` rows and the 24-hour
 * window (`last_inbound_at`) on customers and merchants. Composable: a bot-facing handler calls
 * `handle` first and then acts on the event itself.
 */
@Injectable()
export class StatusRecorder implements WhatsAppEventHandler {
  constructor(private readonly dataSource: DataSource) {}

  async handle(event: WhatsAppWebhookEvent): Promise<void> {
    switch (event.kind) {
      case 'status': {
        const result = await this.recordStatus(event);
        if (!result.matched) throw new UnmatchedStatusError(event.id);
        return;
      }
      case 'message':
        await this.recordInbound(event);
        return;
      case 'unknown':
        return;
    }
  }

  /** Applies one status to the outbound message it belongs to; `status` is the row's status after. */
  async recordStatus(
    event: WhatsAppStatusEvent,
  ): Promise<{ matched: false } | { matched: true; status: MessageStatus }> {
    const error = event.status === 'failed' ? event.errors?.[0] : undefined;
    const rows = await queryRows<{ status: MessageStatus }>(this.dataSource, UPDATE_STATUS, [
      event.id,
      event.status,
      event.timestamp,
      error ? String(error.code) : null,
      error?.title ? error.title.slice(0, 200) : null,
    ]);
    const row = rows[0];
    return row ? { matched: true, status: row.status } : { matched: false };
  }

  /** Opens (or extends) the 24-hour window of whoever wrote: customers and the merchant. */
  async recordInbound(
    event: WhatsAppMessageEvent,
  ): Promise<{ customers: number; merchants: number }> {
    const rows = await queryRows<{ customers: number; merchants: number }>(
      this.dataSource,
      TOUCH_INBOUND,
      [event.from, event.timestamp],
    );
    return rows[0] ?? { customers: 0, merchants: 0 };
  }
}
