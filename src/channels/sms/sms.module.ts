import { Module } from '@nestjs/common';
import { SmsChannel } from './africastalking.client';
import { SmsDeliveryReportService } from './sms-delivery-report.service';
import { SmsEventLedger } from './sms-event-ledger';
import { SmsInboundService } from './sms-inbound.service';
import { SmsInboundSweeper } from './sms-inbound.sweeper';
import { SmsWebhookController } from './sms-webhook.controller';

/**
 * The SMS channel (Africa's Talking): the sending client, the two callbacks and the sweeper that
 * retries inbound SMS on a schedule. Inbound SMS go to whatever provider of SMS_INBOUND_HANDLER
 * the app registers (see sms-inbound.port.ts); without one they are stored for later.
 */
@Module({
  controllers: [SmsWebhookController],
  providers: [
    SmsChannel,
    SmsEventLedger,
    SmsDeliveryReportService,
    SmsInboundService,
    SmsInboundSweeper,
  ],
  exports: [SmsChannel, SmsDeliveryReportService, SmsInboundService],
})
export class SmsModule {}
