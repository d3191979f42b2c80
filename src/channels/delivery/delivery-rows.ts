import type { OutboxRow } from '../../runtime/outbox';

/** The delivery a send row is for: named in its payload, or the machine that queued it. */
export function deliveryIdOf(row: OutboxRow): string | null {
  const fromPayload = row.payload.deliveryId;
  if (typeof fromPayload === 'string') return fromPayload;
  return row.machineKind === 'delivery' ? row.entityId : null;
}
