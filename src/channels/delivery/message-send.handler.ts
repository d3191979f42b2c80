import { Injectable } from '@nestjs/common';
import type { OutboxHandler, OutboxResult } from '../../runtime/outbox';
import type { OutboxRow } from '../../runtime/outbox';
import { RuntimeSignals } from '../../runtime/runtime-signals';
import type { OutboundMessagePayload } from '../../common/messaging/outbound-message';
import { DeliveryService, InvalidDeliveryError } from './delivery.service';

/**
 * 'message.send': a request for a delivery that travelled through the outbox. Nothing enqueues
 * this kind any more (replies are delivered in the deciding transaction: the `deliver` effect
 * and the DeliverPort), but rows enqueued before that upgrade may still be in the outbox of a
 * running database and must still go out; keep this handler until no such row can remain.
 */
@Injectable()
export class MessageSendHandler implements OutboxHandler {
  constructor(
    private readonly signals: RuntimeSignals,
    private readonly deliveries: DeliveryService,
  ) {}

  async handle(row: OutboxRow): Promise<OutboxResult> {
    const payload = row.payload as OutboundMessagePayload;
    try {
      // The row id is the key: a handler run twice (lease expiry) makes one delivery.
      await this.signals.transaction((manager) =>
        this.deliveries.enqueue(manager, payload, {
          key: `message.send:${row.id}`,
          source: 'outbox:message.send',
        }),
      );
    } catch (error) {
      // A malformed request will be as malformed on every retry.
      if (error instanceof InvalidDeliveryError)
        return { status: 'permanent', error: error.message };
      throw error;
    }
    return { status: 'done' };
  }
}
