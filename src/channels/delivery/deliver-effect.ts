import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { hashPhone } from '../../common/logging/redact';
import type { DeliveryRequest } from '../../runtime/deliver-port';
import { DeliveryService, InvalidDeliveryError } from './delivery.service';

/**
 * The delivery module's side of the runtime's DeliverPort: a `deliver` effect (or a bot reply)
 * becomes a delivery whose machine starts in the caller's transaction.
 */
@Injectable()
export class DeliverEffectHandler {
  private readonly logger = new Logger(DeliverEffectHandler.name);

  constructor(private readonly deliveries: DeliveryService) {}

  async deliver(tx: EntityManager, request: DeliveryRequest): Promise<void> {
    try {
      await this.deliveries.enqueue(tx, request.message, {
        key: request.key,
        source: request.source,
      });
    } catch (error) {
      // No channel could ever send it (a foreign number): the decision that asked for it still
      // stands, as when such a request died in the outbox. The check runs before any statement,
      // so the transaction is intact.
      if (!(error instanceof InvalidDeliveryError)) throw error;
      this.logger.warn({
        msg: 'message cannot be delivered; dropped',
        key: request.key,
        recipient: hashPhone(String(request.message.to ?? '')),
        reason: error.message,
      });
    }
  }
}
