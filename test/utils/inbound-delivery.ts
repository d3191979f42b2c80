import type { EntityManager } from 'typeorm';
import type { InboundMessage } from '../../src/common/messaging/inbound-message.port';
import type { InboundDelivery } from '../../src/runtime/inbound-queue';

/**
 * A delivery for handing a message to the bot directly, as the inbound queue would: its claim
 * succeeds once per message id (a ledger row under a test provider), inside the bot's own
 * transaction, so a repeated or concurrent hand-over of the same message is a no-op.
 */
export function onceDelivery(message: InboundMessage): InboundDelivery {
  return {
    eventId: `${message.channel}:${message.id}`,
    attempts: 1,
    claim: async (tx: EntityManager) => {
      const rows: unknown[] = await tx.query(
        `INSERT INTO inbound_events (provider, external_id, processed_at)
         VALUES ('test-bot', $1, now()) ON CONFLICT (provider, external_id) DO NOTHING RETURNING id`,
        [`${message.channel}:${message.id}`],
      );
      return rows.length > 0;
    },
  };
}
