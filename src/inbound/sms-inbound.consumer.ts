import { Injectable } from '@nestjs/common';
import type { InboundMessage } from '../common/messaging/inbound-message.port';
import {
  SmsDeliveryReportService,
  UnmatchedReportError,
} from '../channels/sms/sms-delivery-report.service';
import type { StoredSmsEvent } from '../channels/sms/sms-event-ledger';
import { BotService } from '../conversations/bot.service';
import type { InboundConsumer, InboundDelivery } from '../runtime/inbound-queue';

/**
 * What a recorded Africa's Talking callback does: an inbound SMS goes to the bot; a delivery
 * report goes to its messages row (and throws while that row does not exist yet, so the queue
 * tries again).
 */
@Injectable()
export class SmsInboundConsumer implements InboundConsumer {
  constructor(
    private readonly reports: SmsDeliveryReportService,
    private readonly bot: BotService,
  ) {}

  async handle(payload: unknown, delivery: InboundDelivery): Promise<void> {
    const event = storedSmsEvent(payload);
    if (event.kind === 'report') {
      const outcome = await this.reports.applyStored(event, delivery);
      if (outcome === 'pending') throw new UnmatchedReportError();
      return;
    }
    await this.bot.handle(smsMessage(event), delivery);
  }
}

function smsMessage(sms: Extract<StoredSmsEvent, { kind: 'message' }>): InboundMessage {
  return {
    channel: 'sms',
    id: sms.id,
    from: sms.from,
    type: 'text',
    text: sms.text,
    receivedAt: new Date(sms.receivedAt),
  };
}

/** Rows recorded before the queue carried a `kind` were messages or reports by their shape. */
function storedSmsEvent(payload: unknown): StoredSmsEvent {
  const p = (payload ?? {}) as Record<string, unknown>;
  if (p.kind === 'message' || p.kind === 'report') return p as unknown as StoredSmsEvent;
  return (typeof p.status === 'string'
    ? { ...p, kind: 'report' }
    : { ...p, kind: 'message' }) as unknown as StoredSmsEvent;
}
