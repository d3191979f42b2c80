import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../../database/sql';
import type {
  DeliveryChannel,
  DeliveryPolicy,
  DeliveryState,
} from '../../machines/delivery.machine';
import type { OutboundMessagePayload } from '../../common/messaging/outbound-message';
import { isUuid } from '../../common/text/uuid';

/** A delivery as the send handlers need it. */
export interface DeliveryRecord {
  id: string;
  purpose: string;
  recipient: string;
  invoiceId: string | null;
  conversationId: string | null;
  policy: DeliveryPolicy;
  payload: OutboundMessagePayload;
  state: DeliveryState;
  deliveredVia: DeliveryChannel | null;
}

/** The columns of `deliveries` this code reads. */
export interface DeliveryRow {
  id: string;
  purpose: string;
  recipient: string;
  invoice_id: string | null;
  conversation_id: string | null;
  channel_policy: DeliveryPolicy;
  payload: OutboundMessagePayload;
  state: DeliveryState;
  delivered_via: DeliveryChannel | null;
}

/** A new delivery, before its machine starts (the runner fills state and snapshot). */
export interface NewDelivery {
  /** Unique forever: the same key twice is one delivery. */
  idempotencyKey: string;
  purpose: string;
  recipient: string;
  invoiceId: string | null;
  conversationId: string | null;
  policy: DeliveryPolicy;
  payload: OutboundMessagePayload;
  at: Date;
}

export function toDeliveryRecord(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    purpose: row.purpose,
    recipient: row.recipient,
    invoiceId: row.invoice_id,
    conversationId: row.conversation_id,
    policy: row.channel_policy,
    payload: row.payload,
    state: row.state,
    deliveredVia: row.delivered_via,
  };
}

const SEND_STARTED_COLUMN = {
  whatsapp: 'whatsapp_send_started_at',
  sms: 'sms_send_started_at',
} as const satisfies Record<DeliveryChannel, string>;

/** Every statement on `deliveries` except the machine snapshot, which the runner saves. */
@Injectable()
export class DeliveryRepository {
  /** The new delivery's id, or null when a delivery with this idempotency key exists. */
  async insert(tx: EntityManager, draft: NewDelivery): Promise<string | null> {
    const [inserted] = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO deliveries (idempotency_key, purpose, recipient, invoice_id, conversation_id, channel_policy,
                               payload, state, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'ROUTING', $8, $8)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id`,
      [
        draft.idempotencyKey,
        draft.purpose,
        draft.recipient,
        draft.invoiceId,
        draft.conversationId,
        draft.policy,
        draft.payload,
        draft.at,
      ],
    );
    return inserted?.id ?? null;
  }

  async findIdByKey(tx: EntityManager, idempotencyKey: string): Promise<string | null> {
    const [row] = await queryRows<{ id: string }>(
      tx,
      `SELECT id FROM deliveries WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return row?.id ?? null;
  }

  /** Null as well for anything that is not a UUID (an outbox payload is not trusted). */
  async findById(tx: EntityManager, id: string | null | undefined): Promise<DeliveryRecord | null> {
    if (!id || !isUuid(id)) return null;
    const [row] = await queryRows<DeliveryRow>(
      tx,
      `SELECT id, purpose, recipient, invoice_id, conversation_id, channel_policy, payload, state, delivered_via
         FROM deliveries WHERE id = $1`,
      [id],
    );
    return row ? toDeliveryRecord(row) : null;
  }

  /**
   * Marks that this delivery's send on `channel` is starting. False when it was marked already:
   * an earlier run (or another instance right now) may have sent it.
   */
  async markSendStarted(
    tx: EntityManager,
    id: string,
    channel: DeliveryChannel,
    at: Date,
  ): Promise<boolean> {
    const column = SEND_STARTED_COLUMN[channel];
    const rows = await queryRows<{ id: string }>(
      tx,
      `UPDATE deliveries SET ${column} = $2 WHERE id = $1 AND ${column} IS NULL RETURNING id`,
      [id, at],
    );
    return rows.length > 0;
  }

  async clearSendStarted(tx: EntityManager, id: string, channel: DeliveryChannel): Promise<void> {
    const column = SEND_STARTED_COLUMN[channel];
    await tx.query(`UPDATE deliveries SET ${column} = NULL WHERE id = $1`, [id]);
  }

  /**
   * Whether the customer ever had this invoice from us: an invoice or reminder delivery that a
   * channel took and that did not fail.
   */
  async invoiceReachedCustomer(tx: EntityManager, invoiceId: string): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      tx,
      `SELECT 1 AS one FROM deliveries
        WHERE invoice_id = $1 AND purpose IN ('invoice', 'reminder')
          AND state NOT IN ('ROUTING', 'WHATSAPP_PENDING', 'FAILED') LIMIT 1`,
      [invoiceId],
    );
    return rows.length > 0;
  }

  /** Retention: how many finished deliveries were last changed before `before`. */
  async countFinishedBefore(tx: EntityManager, before: Date): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      tx,
      `SELECT count(*) AS n FROM deliveries WHERE ${FINISHED} AND updated_at < $1`,
      [before],
    );
    return Number(row?.n ?? 0);
  }

  /** Retention: deletes up to `limit` of those deliveries; returns how many. */
  async deleteFinishedBefore(tx: EntityManager, before: Date, limit: number): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `DELETE FROM deliveries
        WHERE id IN (SELECT id FROM deliveries WHERE ${FINISHED} AND updated_at < $1 LIMIT $2)
        RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }
}

/** Deliveries no machine will move again. */
const FINISHED = `state IN ('DELIVERED', 'SMS_SENT', 'FAILED')`;
