import { Module } from '@nestjs/common';
import { MerchantsModule } from '../../merchants/merchants.module';
import { MessageRepository } from '../message.repository';
import { WhatsAppChannel } from './whatsapp.client';
import { StatusRecorder } from './whatsapp-status.recorder';
import { WhatsAppWebhookController } from './whatsapp-webhook.controller';
import { WhatsAppWebhookGuard } from './whatsapp-webhook.guard';
import { WhatsAppWebhookService } from './whatsapp-webhook.service';

/**
 * The WhatsApp channel: the sending client, the webhook endpoint (GET verification, POST events
 * recorded on the inbound queue) and the recorder of statuses and the 24-hour window. What the
 * events then do is decided above the channels (src/inbound/).
 */
@Module({
  imports: [MerchantsModule],
  controllers: [WhatsAppWebhookController],
  providers: [
    WhatsAppChannel,
    StatusRecorder,
    MessageRepository,
    WhatsAppWebhookService,
    WhatsAppWebhookGuard,
  ],
  exports: [WhatsAppChannel, StatusRecorder, WhatsAppWebhookService],
})
export class WhatsAppModule {}
