import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import type { MessageKind, MessageStatus } from './message.record';

export type MessageChannel = 'whatsapp' | 'sms';

/** One answered outbound send attempt, as `messages` keeps it (metadata only, never the body). */
export interface OutboundAttemptRow {
  channel: MessageChannel;
  providerMessageId: string | null;
  /** The delivery the attempt belongs to: groups a WhatsApp attempt and its SMS fallback. */
  logicalId: string;
  invoiceId: string | null;
  conversationId: string | null;
  recipient: string;
  purpose: string;
  kind: MessageKind;
  status: 'sent' | 'failed';
  at: Date;
  errorCode: string | null;
  errorTitle: string | null;
}

/** The last thing that happened to an outbound message. */
export interface LatestOutboundMessage {
  status: MessageStatus;
  channel: MessageChannel;
  updatedAt: Date;
}

/** A WhatsApp status webhook for one wamid. */
export interface WhatsAppStatusUpdate {
  providerMessageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: Date;
  errorCode: string | null;
  errorTitle: string | null;
}

/** An Africa's Talking delivery report, already mapped to a message status. */
export interface SmsReportUpdate {
  providerMessageId: string;
  status: MessageStatus;
  errorCode: string;
  errorTitle: string;
}

/*
 * WhatsApp statuses arrive out of order and concurrently, so the "never backwards" rule lives
 * inside one UPDATE: PostgreSQL re-reads a row changed by a concurrent update before evaluating
 * the CASE. Rank: queued < sent < failed < delivered < read. A failure after delivery is
 * recorded in failed_at/error_code without hiding that the person got the message; anything
 * else (an inbound 'received' row) ranks highest and is never changed.
 */
const RANK = (expr: string): string =>
  `(CASE ${expr} WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 ` +
  `WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 ELSE 99 END)`;

const TIME_COLUMN = (column: string, status: string): string =>
  `${column} = CASE WHEN $2::text = '${status}' THEN COALESCE(${column}, $3) ELSE ${column} END`;

const UPDATE_WHATSAPP_STATUS = `
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
 * A final SMS status (delivered, failed) is never changed afterwards. The rule lives in the
 * UPDATE's WHERE clause, not in a read-then-write, so two reports racing for one row cannot both
 * win: PostgreSQL re-checks the WHERE on the row the other transaction committed.
 */
const UPDATE_SMS_STATUS = `
  UPDATE messages SET
    status = $2::text,
    sent_at = CASE WHEN $2::text IN ('sent', 'delivered') THEN COALESCE(sent_at, now()) ELSE sent_at END,
    delivered_at = CASE WHEN $2::text = 'delivered' THEN now() ELSE delivered_at END,
    failed_at = CASE WHEN $2::text = 'failed' THEN now() ELSE failed_at END,
    error_code = CASE WHEN $2::text = 'failed' THEN $3::text ELSE error_code END,
    error_title = CASE WHEN $2::text = 'failed' THEN $4::text ELSE error_title END,
    updated_at = now()
  WHERE channel = 'sms' AND provider_message_id = $1
    AND status NOT IN ('delivered', 'failed', 'read', 'received')
  RETURNING id`;

/** Every statement on `messages`: one row per message on one channel. */
@Injectable()
export class MessageRepository {
  /**
   * Stores an answered send attempt. A provider id seen twice (a retried handler) stays one row.
   * An invoice or conversation id that no longer exists is stored as null rather than refused.
   */
  async insertOutboundAttempt(tx: EntityManager, attempt: OutboundAttemptRow): Promise<void> {
    await tx.query(
      `INSERT INTO messages (direction, channel, provider_message_id, logical_id, invoice_id, conversation_id,
                             recipient, purpose, kind, status, queued_at, sent_at, failed_at, error_code, error_title)
       VALUES ('outbound', $1, $2, $3,
               (SELECT id FROM invoices WHERE id = $4::uuid),
               (SELECT id FROM conversations WHERE id = $5::uuid),
               $6, $7, $8, $9, $10,
               CASE WHEN $9 = 'sent' THEN $10::timestamptz END,
               CASE WHEN $9 = 'failed' THEN $10::timestamptz END,
               $11, $12)
       ON CONFLICT (channel, provider_message_id) DO NOTHING`,
      [
        attempt.channel,
        attempt.providerMessageId,
        attempt.logicalId,
        attempt.invoiceId,
        attempt.conversationId,
        attempt.recipient,
        attempt.purpose,
        attempt.kind,
        attempt.status,
        attempt.at,
        attempt.errorCode,
        attempt.errorTitle,
      ],
    );
  }

  /** The provider id of the first attempt on `channel` of this delivery that was not refused. */
  async findAcceptedProviderMessageId(
    tx: EntityManager,
    logicalId: string,
    channel: MessageChannel,
  ): Promise<string | null> {
    const [row] = await queryRows<{ provider_message_id: string }>(
      tx,
      `SELECT provider_message_id FROM messages
        WHERE logical_id = $1 AND channel = $2 AND direction = 'outbound'
          AND provider_message_id IS NOT NULL AND status <> 'failed'
        ORDER BY created_at LIMIT 1`,
      [logicalId, channel],
    );
    return row?.provider_message_id ?? null;
  }

  /** The delivery an outbound message on `channel` was sent for, if the delivery exists. */
  async findDeliveryIdOfOutbound(
    tx: EntityManager,
    channel: MessageChannel,
    providerMessageId: string,
  ): Promise<string | null> {
    const [row] = await queryRows<{ delivery_id: string }>(
      tx,
      `SELECT d.id AS delivery_id FROM messages m JOIN deliveries d ON d.id = m.logical_id
        WHERE m.channel = $1 AND m.provider_message_id = $2 AND m.direction = 'outbound'`,
      [channel, providerMessageId],
    );
    return row?.delivery_id ?? null;
  }

  /** Applies a WhatsApp status, never backwards; the row's status after, or null when no row has this wamid. */
  async applyWhatsAppStatus(
    tx: EntityManager,
    update: WhatsAppStatusUpdate,
  ): Promise<MessageStatus | null> {
    const [row] = await queryRows<{ status: MessageStatus }>(tx, UPDATE_WHATSAPP_STATUS, [
      update.providerMessageId,
      update.status,
      update.at,
      update.errorCode,
      update.errorTitle,
    ]);
    return row?.status ?? null;
  }

  /** Applies an SMS delivery report unless the row is final; false when nothing changed. */
  async applySmsReport(tx: EntityManager, update: SmsReportUpdate): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(tx, UPDATE_SMS_STATUS, [
      update.providerMessageId,
      update.status,
      update.errorCode,
      update.errorTitle,
    ]);
    return rows.length > 0;
  }

  /** The newest outbound message about an invoice: what a merchant sees as its delivery. */
  async latestOutboundForInvoice(
    tx: EntityManager,
    invoiceId: string,
  ): Promise<LatestOutboundMessage | null> {
    const [row] = await queryRows<{
      status: MessageStatus;
      channel: MessageChannel;
      updated_at: Date;
    }>(
      tx,
      `SELECT status, channel, updated_at FROM messages
        WHERE invoice_id = $1 AND direction = 'outbound'
        ORDER BY created_at DESC LIMIT 1`,
      [invoiceId],
    );
    return row
      ? { status: row.status, channel: row.channel, updatedAt: new Date(row.updated_at) }
      : null;
  }

  async existsWithProviderId(
    tx: EntityManager,
    channel: MessageChannel,
    providerMessageId: string,
  ): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      tx,
      `SELECT 1 AS one FROM messages WHERE channel = $1 AND provider_message_id = $2`,
      [channel, providerMessageId],
    );
    return rows.length > 0;
  }

  /** Retention: how many messages were created before `before`. */
  async countCreatedBefore(tx: EntityManager, before: Date): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      tx,
      `SELECT count(*) AS n FROM messages WHERE created_at < $1`,
      [before],
    );
    return Number(row?.n ?? 0);
  }

  /** Retention: deletes up to `limit` messages created before `before`; returns how many. */
  async deleteCreatedBefore(tx: EntityManager, before: Date, limit: number): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `DELETE FROM messages
        WHERE id IN (SELECT id FROM messages WHERE created_at < $1 LIMIT $2)
        RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }
}
