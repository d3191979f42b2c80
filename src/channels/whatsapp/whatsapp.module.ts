import { type DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { WHATSAPP_EVENT_HANDLER, type WhatsAppEventHandler } from './whatsapp-inbound.port';
import { StatusRecorder } from './whatsapp-status.recorder';
import { WhatsAppChannel } from './whatsapp.client';
import { WhatsAppWebhookController } from './whatsapp-webhook.controller';
import { WhatsAppWebhookGuard } from './whatsapp-webhook.guard';
import { WhatsAppWebhookService } from './whatsapp-webhook.service';

export interface WhatsAppModuleOptions {
  /**
   * Replaces StatusRecorder as the handler of new webhook events. It is instantiated inside this
   * module, so it may inject StatusRecorder (to compose) and whatever `imports` export.
   */
  eventHandler?: Type<WhatsAppEventHandler>;
  imports?: ModuleMetadata['imports'];
}

/**
 * The WhatsApp channel: the sending client, the webhook endpoint (GET verification, POST events)
 * and the default event handler. Import it plainly for the defaults, or through forRoot to bind
 * another handler — not both, or the webhook routes would be mounted twice.
 */
@Module({
  controllers: [WhatsAppWebhookController],
  providers: [
    WhatsAppChannel,
    StatusRecorder,
    WhatsAppWebhookService,
    WhatsAppWebhookGuard,
    { provide: WHATSAPP_EVENT_HANDLER, useExisting: StatusRecorder },
  ],
  exports: [WhatsAppChannel, StatusRecorder, WhatsAppWebhookService],
})
export class WhatsAppModule {
  static forRoot(options: WhatsAppModuleOptions = {}): DynamicModule {
    const handler = options.eventHandler;
    return {
      module: WhatsAppModule,
      imports: options.imports ?? [],
      providers: handler
        ? [handler, { provide: WHATSAPP_EVENT_HANDLER, useExisting: handler }]
        : [],
    };
  }
}
