import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  INBOUND_MESSAGE_HANDLER,
  type InboundMessage,
  type InboundMessageHandler,
} from '../inbound-message.port';
import type { SmsInboundHandler, SmsInboundMessage } from '../sms/sms-inbound.port';

/**
 * Bound to SMS_INBOUND_HANDLER: hands an inbound SMS to the bot's INBOUND_MESSAGE_HANDLER, the
 * same port WhatsApp messages reach. Resolved per call (non-strict), so the bot module need not
 * be imported here. With no bot bound it throws: SmsModule then keeps the SMS unprocessed and
 * answers 503, so Africa's Talking retries and SmsInboundService.processPending can replay it.
 */
@Injectable()
export class SmsInboundBridge implements SmsInboundHandler {
  private target: InboundMessageHandler | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  async handle(sms: SmsInboundMessage): Promise<void> {
    this.target ??= this.moduleRef.get<InboundMessageHandler>(INBOUND_MESSAGE_HANDLER, {
      strict: false,
    });
    await this.target.handle(toInboundMessage(sms));
  }
}

export function toInboundMessage(sms: SmsInboundMessage): InboundMessage {
  return {
    channel: 'sms',
    id: sms.id,
    from: sms.from,
    type: 'text',
    text: sms.text,
    receivedAt: sms.receivedAt,
  };
}
