import { Module, type OnModuleInit } from '@nestjs/common';
import { DeliveryModule } from '../channels/delivery/delivery.module';
import { AT_PROVIDER } from '../channels/sms/sms-event-ledger';
import { WHATSAPP_PROVIDER } from '../channels/whatsapp/whatsapp-webhook.service';
import { ConversationsModule } from '../conversations/conversations.module';
import { InboundQueue } from '../runtime/inbound-queue';
import { SmsInboundConsumer } from './sms-inbound.consumer';
import { WhatsAppInboundConsumer } from './whatsapp-inbound.consumer';

/**
 * Where recorded provider events go. The webhooks (in channels/) only authenticate and record;
 * this module, above both the channels and the bot, names the consumer of each provider's
 * events on the inbound queue, so the path of a message can be read from its imports.
 */
@Module({
  imports: [DeliveryModule, ConversationsModule],
  providers: [WhatsAppInboundConsumer, SmsInboundConsumer],
})
export class InboundModule implements OnModuleInit {
  constructor(
    private readonly queue: InboundQueue,
    private readonly whatsapp: WhatsAppInboundConsumer,
    private readonly sms: SmsInboundConsumer,
  ) {}

  onModuleInit(): void {
    this.queue.consume(WHATSAPP_PROVIDER, this.whatsapp);
    this.queue.consume(AT_PROVIDER, this.sms);
  }
}
