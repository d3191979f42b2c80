import { Module } from '@nestjs/common';
import { MessageRepository } from '../message.repository';
import { SmsChannel } from './africastalking.client';
import { SmsDeliveryReportService } from './sms-delivery-report.service';
import { SmsEventLedger } from './sms-event-ledger';
import { SmsWebhookController } from './sms-webhook.controller';

/**
 * The SMS channel (Africa's Talking): the sending client and the two callbacks, recorded on the
 * inbound queue. Inbound SMS go to the bot and reports to their messages rows from there
 * (src/inbound/).
 */
@Module({
  controllers: [SmsWebhookController],
  providers: [SmsChannel, SmsEventLedger, SmsDeliveryReportService, MessageRepository],
  exports: [SmsChannel, SmsDeliveryReportService],
})
export class SmsModule {}
