import { DataSource, type EntityManager } from 'typeorm';
import type { OutboxRow } from '../../runtime/outbox.entity';
import { type DeliveryRecord, DeliveryRepository } from './delivery.repository';

export type { DeliveryRecord } from './delivery.repository';

/** The delivery a send row is for: named in its payload, or the machine that queued it. */
export function deliveryIdOf(row: OutboxRow): string | null {
  const fromPayload = row.payload.deliveryId;
  if (typeof fromPayload === 'string') return fromPayload;
  return row.machineKind === 'delivery' ? row.entityId : null;
}

/*
 * The send handlers' free-function API, kept while they are being unified: each call delegates to
 * DeliveryRepository (stateless, so one shared instance is the same as an injected one). New code
 * injects DeliveryRepository instead.
 */
const deliveries = new DeliveryRepository();

/** The manager of a DataSource (each statement on its own) or the caller's transaction. */
export function managerOf(db: DataSource | EntityManager): EntityManager {
  return db instanceof DataSource ? db.manager : db;
}

/** @deprecated inject DeliveryRepository and call findById. */
export function loadDelivery(
  db: DataSource | EntityManager,
  id: string | null | undefined,
): Promise<DeliveryRecord | null> {
  return deliveries.findById(managerOf(db), id);
}

/**
 * Marks, in its own committed write, that this delivery's send on `channel` is starting. False
 * when it was marked already: an earlier run (or another instance right now) may have sent it.
 * @deprecated inject DeliveryRepository and call markSendStarted.
 */
export function startSend(
  db: DataSource | EntityManager,
  deliveryId: string,
  channel: 'whatsapp' | 'sms',
  at: Date,
): Promise<boolean> {
  return deliveries.markSendStarted(managerOf(db), deliveryId, channel, at);
}

/**
 * The provider refused the message before taking it: the next run may send it again.
 * @deprecated inject DeliveryRepository and call clearSendStarted.
 */
export function clearSendStarted(
  db: DataSource | EntityManager,
  deliveryId: string,
  channel: 'whatsapp' | 'sms',
): Promise<void> {
  return deliveries.clearSendStarted(managerOf(db), deliveryId, channel);
}
