import { Module, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import {
  deliveryDefinition,
  SMS_SEND,
  WHATSAPP_SEND,
  DELIVERY_INVOICE_EVENT,
} from '../../machines/delivery.machine';
import { InvoicesModule } from '../../invoices/invoices.module';
import { DeliverPort } from '../../runtime/deliver-port';
import { MachineRegistry } from '../../runtime/machine-registry';
import { OutboxHandlers } from '../../runtime/outbox-handlers';
import { MESSAGE_SEND } from '../../common/messaging/outbound-message';
import { MessageRepository } from '../message.repository';
import { SmsModule } from '../sms/sms.module';
import { WhatsAppModule } from '../whatsapp/whatsapp.module';
import { ChannelSendHandler } from './channel-send.handler';
import { DeliverEffectHandler } from './deliver-effect';
import { DeliveryStatusHandler } from './delivery-status.handler';
import { DELIVERY_OPTIONS, type DeliveryModuleOptions } from './delivery.options';
import { DeliveryService } from './delivery.service';
import { DeliveryRepository } from './delivery.repository';
import { InvoiceEventHandler } from './invoice-event.handler';
import { InvoiceNoticeLoader } from './invoice-notice.loader';
import { InvoiceNoticeQuery } from './invoice-notice.query';
import { INVOICE_NOTICE_KINDS, InvoiceNoticesHandler } from './invoice-notices.handler';
import { MessageLog } from './message-log';
import { MessageSendHandler } from './message-send.handler';

/**
 * How every message reaches a person: the 'delivery' machine (WhatsApp first, at most one SMS
 * fallback), the channel send handlers, the status feed, and the renderers of the invoice
 * machine's messages. Machines ask with a `deliver` effect and the bot through the runtime's
 * DeliverPort (both create the delivery in the deciding transaction); other modules call
 * DeliveryService.enqueue. SMS_FALLBACK_AFTER_SECONDS sets the wait before the SMS fallback.
 */
@Module({
  imports: [WhatsAppModule, SmsModule, InvoicesModule],
  providers: [
    DeliveryService,
    DeliveryStatusHandler,
    DeliveryRepository,
    MessageRepository,
    MessageLog,
    ChannelSendHandler,
    DeliverEffectHandler,
    MessageSendHandler,
    InvoiceEventHandler,
    InvoiceNoticeLoader,
    InvoiceNoticeQuery,
    InvoiceNoticesHandler,
    {
      provide: DELIVERY_OPTIONS,
      inject: [AppConfig],
      useFactory: (config: AppConfig): DeliveryModuleOptions => ({
        smsFallbackAfterSeconds: config.smsFallbackAfterSeconds,
      }),
    },
  ],
  exports: [DeliveryService, DeliveryStatusHandler, MessageLog, WhatsAppModule, SmsModule],
})
export class DeliveryModule implements OnModuleInit {
  constructor(
    private readonly registry: MachineRegistry,
    private readonly outbox: OutboxHandlers,
    private readonly deliverPort: DeliverPort,
    private readonly deliverEffect: DeliverEffectHandler,
    private readonly channelSend: ChannelSendHandler,
    private readonly messageSend: MessageSendHandler,
    private readonly invoiceEvents: InvoiceEventHandler,
    private readonly notices: InvoiceNoticesHandler,
  ) {}

  onModuleInit(): void {
    if (!this.registry.get(deliveryDefinition.kind)) this.registry.register(deliveryDefinition);
    this.deliverPort.implement((tx, request) => this.deliverEffect.deliver(tx, request));
    this.outbox.register(WHATSAPP_SEND, this.channelSend.handlerFor('whatsapp'));
    this.outbox.register(SMS_SEND, this.channelSend.handlerFor('sms'));
    this.outbox.register(MESSAGE_SEND, this.messageSend);
    this.outbox.register(DELIVERY_INVOICE_EVENT, this.invoiceEvents);
    for (const kind of INVOICE_NOTICE_KINDS)
      this.outbox.register(kind, this.notices.handlerFor(kind));
  }
}
