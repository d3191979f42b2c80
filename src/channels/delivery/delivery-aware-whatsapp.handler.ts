import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  INBOUND_MESSAGE_HANDLER,
  type InboundMessage,
  type InboundMessageHandler,
} from '../inbound-message.port';
import type { WhatsAppMessageEvent, WhatsAppWebhookEvent } from '../whatsapp/whatsapp-events';
import type { WhatsAppEventHandler } from '../whatsapp/whatsapp-inbound.port';
import { StatusRecorder } from '../whatsapp/whatsapp-status.recorder';
import { DeliveryStatusHandler } from './delivery-status.handler';

/**
 * The WhatsApp event handler the app binds (WhatsAppModule.forRoot({ eventHandler })):
 * StatusRecorder first (messages rows, the 24-hour window), then statuses to the delivery
 * policy and messages to the bot's INBOUND_MESSAGE_HANDLER when one is bound.
 * A throw (e.g. a status that outran its messages row) leaves the event for replay.
 */
@Injectable()
export class DeliveryAwareWhatsAppHandler implements WhatsAppEventHandler, OnApplicationBootstrap {
  private readonly logger = new Logger(DeliveryAwareWhatsAppHandler.name);
  private inbound: InboundMessageHandler | undefined;

  constructor(
    private readonly recorder: StatusRecorder,
    private readonly statuses: DeliveryStatusHandler,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    try {
      this.inbound = this.moduleRef.get<InboundMessageHandler>(INBOUND_MESSAGE_HANDLER, {
        strict: false,
      });
    } catch {
      this.logger.log(
        'no INBOUND_MESSAGE_HANDLER bound: inbound WhatsApp messages are only recorded',
      );
    }
  }

  async handle(event: WhatsAppWebhookEvent): Promise<void> {
    await this.recorder.handle(event);
    if (event.kind === 'status') await this.statuses.handle(event);
    else if (event.kind === 'message' && this.inbound)
      await this.inbound.handle(toInboundMessage(event));
  }
}

export function toInboundMessage(event: WhatsAppMessageEvent): InboundMessage {
  const base = {
    channel: 'whatsapp' as const,
    id: event.id,
    from: event.from,
    receivedAt: event.timestamp,
    ...(event.profileName ? { profileName: event.profileName } : {}),
  };
  const m = event.message;
  switch (m.type) {
    case 'text':
      return { ...base, type: 'text', text: m.text };
    case 'button_reply':
    case 'list_reply':
      return { ...base, type: 'button', buttonId: m.id, text: m.title };
    case 'template_button':
      return { ...base, type: 'button', buttonId: m.payload, text: m.text };
    case 'unsupported':
      return { ...base, type: 'unsupported' };
  }
}
