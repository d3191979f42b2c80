import type { OutboxRow } from '../../runtime/outbox.entity';
import type { EntityManager } from 'typeorm';
import type { OutboundMessagePayload } from '../outbound-message';
import { queryRows } from '../../database/sql';
import type { DeliveryPolicy, DeliveryState } from '../../machines/delivery.machine';

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
  deliveredVia: 'whatsapp' | 'sms' | null;
}

interface DeliveryRow {
  id: string;
  purpose: string;
  recipient: string;
  invoice_id: string | null;
  conversation_id: string | null;
  channel_policy: DeliveryPolicy;
  payload: OutboundMessagePayload;
  state: DeliveryState;
  delivered_via: 'whatsapp' | 'sms' | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loadDelivery(
  manager: Pick<EntityManager, 'query'>,
  id: string | null | undefined,
): Promise<DeliveryRecord | null> {
  if (!id || !UUID.test(id)) return null;
  const [row] = await queryRows<DeliveryRow>(
    manager,
    `SELECT id, purpose, recipient, invoice_id, conversation_id, channel_policy, payload, state, delivered_via
       FROM deliveries WHERE id = $1`,
    [id],
  );
  if (!row) return null;
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

/** The delivery a send row is for: named in its payload, or the machine that queued it. */
export function deliveryIdOf(row: OutboxRow): string | null {
  const fromPayload = row.payload.deliveryId;
  if (typeof fromPayload === 'string') return fromPayload;
  return row.machineKind === 'delivery' ? row.entityId : null;
}

const SEND_STARTED_COLUMN = {
  whatsapp: 'whatsapp_send_started_at',
  sms: 'sms_send_started_at',
} as const;

/**
 * Marks, in its own committed write, that this delivery's send on `channel` is starting. False
 * when it was marked already: an earlier run (or another instance right now) may have sent it.
 */
export async function startSend(
  manager: Pick<EntityManager, 'query'>,
  deliveryId: string,
  channel: 'whatsapp' | 'sms',
  at: Date,
): Promise<boolean> {
  const column = SEND_STARTED_COLUMN[channel];
  const rows = await queryRows<{ id: string }>(
    manager,
    `UPDATE deliveries SET ${column} = $2 WHERE id = $1 AND ${column} IS NULL RETURNING id`,
    [deliveryId, at],
  );
  return rows.length > 0;
}

/** The provider refused the message before taking it: the next run may send it again. */
export async function clearSendStarted(
  manager: Pick<EntityManager, 'query'>,
  deliveryId: string,
  channel: 'whatsapp' | 'sms',
): Promise<void> {
  const column = SEND_STARTED_COLUMN[channel];
  await manager.query(`UPDATE deliveries SET ${column} = NULL WHERE id = $1`, [deliveryId]);
}
