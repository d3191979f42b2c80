import { Module } from '@nestjs/common';
import { MessageRepository } from '../message.repository';
import { DeliveryStatusHandler } from './delivery-status.handler';

/**
 * Only the status feed, with no channel imports, so WhatsAppModule.forRoot({ imports }) can
 * give it to its event handler without an import cycle.
 */
@Module({
  providers: [DeliveryStatusHandler, MessageRepository],
  exports: [DeliveryStatusHandler],
})
export class DeliveryStatusModule {}
