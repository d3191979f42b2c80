import { DeliveryModule } from '../channels/delivery/delivery.module';
import { Module, type OnModuleInit } from '@nestjs/common';
import { InvoicesModule } from '../invoices/invoices.module';
import { conversationDefinition } from '../machines/conversation.machine';
import { MerchantsModule } from '../merchants/merchants.module';
import { PaymentsModule } from '../payments/payments.module';
import { MachineRegistry } from '../runtime/machine-registry';
import { BotService } from './bot.service';
import { ConversationRepository } from './conversation.repository';
import { ConversationStore } from './conversation.store';
import { ConversationsService } from './conversations.service';
import { CustomerMessages } from './customer-messages';
import { MerchantCommands } from './merchant-commands';
import { MerchantMessages } from './merchant-messages';
import { StrangerMessages } from './stranger-messages';

/**
 * The WhatsApp/SMS bot (src/inbound/ hands it each recorded message) and the
 * conversation machine. Replies become deliveries in the turn's transaction (the runtime's
 * DeliverPort, implemented by the delivery module).
 */
@Module({
  imports: [InvoicesModule, MerchantsModule, PaymentsModule, DeliveryModule],
  providers: [
    BotService,
    ConversationStore,
    ConversationRepository,
    ConversationsService,
    MerchantCommands,
    MerchantMessages,
    CustomerMessages,
    StrangerMessages,
  ],
  exports: [BotService, ConversationsService],
})
export class ConversationsModule implements OnModuleInit {
  constructor(private readonly registry: MachineRegistry) {}

  onModuleInit(): void {
    if (!this.registry.get(conversationDefinition.kind))
      this.registry.register(conversationDefinition);
  }
}
