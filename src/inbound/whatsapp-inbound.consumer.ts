import { Injectable } from '@nestjs/common';
import type { InboundMessage } from '../common/messaging/inbound-message.port';
import { DeliveryStatusHandler } from '../channels/delivery/delivery-status.handler';
import type { WhatsAppMessageEvent } from '../channels/whatsapp/whatsapp-events';
import {
  StatusRecorder,
  UnmatchedStatusError,
} from '../channels/whatsapp/whatsapp-status.recorder';
import { eventFromPayload } from '../channels/whatsapp/whatsapp-webhook.service';
import { BotService } from '../conversations/bot.service';
import type { InboundConsumer, InboundDelivery } from '../runtime/inbound-queue';

/**
 * What a recorded WhatsApp event does: a status goes to the messages row and then to the
 * delivery policy; a message opens the 24-hour window and goes to the bot. A status that
 * outran its message row throws, so the queue tries it again once the sender has stored it.
 */
@Injectable()
export class WhatsAppInboundConsumer implements InboundConsumer {
  constructor(
    private readonly recorder: StatusRecorder,
    private readonly statuses: DeliveryStatusHandler,
    private readonly bot: BotService,
  ) {}

  async handle(payload: unknown, delivery: InboundDelivery): Promise<void> {
    const event = eventFromPayload(payload);
    switch (event.kind) {
      case 'status': {
        const recorded = await this.recorder.recordStatus(event);
        if (!recorded.matched) throw new UnmatchedStatusError(event.id);
        await this.statuses.handle(event);
        return;
      }
      case 'message':
        await this.recorder.recordInbound(event);
        await this.bot.handle(whatsAppMessage(event), delivery);
        return;
      case 'unknown':
        return;
    }
  }
}

export function whatsAppMessage(event: WhatsAppMessageEvent): InboundMessage {
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
