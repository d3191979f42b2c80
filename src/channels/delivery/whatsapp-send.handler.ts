import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../runtime/clock';
import type { MachineEventLike, OutboxHandler, OutboxResult } from '../../runtime/outbox';
import type { OutboxRow } from '../../runtime/outbox.entity';
import { WhatsAppChannel } from '../whatsapp/whatsapp.client';
import { clearSendStarted, deliveryIdOf, loadDelivery, startSend } from './delivery-rows';
import {
  acceptedAttempt,
  messageKindOf,
  recordAttempt,
  recordRefusal,
  recordUnconfirmedSend,
  retriesExhausted,
  retryLater,
} from './message-log';

/**
 * 'whatsapp.send': one attempt on WhatsApp for a delivery. The outcome goes back to the
 * delivery machine as an event; retryable answers retry through the outbox backoff.
 */
@Injectable()
export class WhatsAppSendHandler implements OutboxHandler {
  private readonly logger = new Logger(WhatsAppSendHandler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly whatsapp: WhatsAppChannel,
    private readonly clock: Clock,
  ) {}

  async handle(row: OutboxRow): Promise<OutboxResult> {
    const delivery = await loadDelivery(this.dataSource, deliveryIdOf(row));
    if (!delivery) return { status: 'permanent', error: 'delivery not found' };
    // The policy moved on (a status or the timer overtook this row): sending now would duplicate.
    if (delivery.state !== 'WHATSAPP_PENDING') return { status: 'done' };
    const earlier = await acceptedAttempt(this.dataSource, delivery.id, 'whatsapp');
    if (earlier)
      return {
        status: 'done',
        event: { type: 'SEND_ACCEPTED', channel: 'whatsapp', providerMessageId: earlier },
      };

    const { content } = delivery.payload;
    const base = {
      channel: 'whatsapp' as const,
      kind: messageKindOf(content),
      at: this.clock.now(),
    };
    if (!(await startSend(this.dataSource, delivery.id, 'whatsapp', base.at))) {
      return recordUnconfirmedSend(this.dataSource, delivery, base);
    }
    const outcome = await this.whatsapp.send({ to: delivery.recipient, content });
    switch (outcome.status) {
      case 'accepted':
        await recordAttempt(this.dataSource, delivery, {
          ...base,
          providerMessageId: outcome.providerMessageId,
          status: 'sent',
        });
        return {
          status: 'done',
          event: {
            type: 'SEND_ACCEPTED',
            channel: 'whatsapp',
            providerMessageId: outcome.providerMessageId,
          },
        };
      case 'retryable':
        if (outcome.maybeSent) return recordUnconfirmedSend(this.dataSource, delivery, base);
        await clearSendStarted(this.dataSource, delivery.id, 'whatsapp');
        return retryLater(outcome);
      case 'fallback':
      case 'permanent':
        await recordRefusal(this.dataSource, delivery, base, outcome);
        this.logger.log({
          msg: 'WhatsApp could not take the message',
          deliveryId: delivery.id,
          outcome: outcome.status,
          code: outcome.code,
        });
        return {
          status: 'done',
          event: {
            type: outcome.status === 'fallback' ? 'SEND_FALLBACK' : 'SEND_FAILED',
            channel: 'whatsapp',
            code: outcome.code,
          },
        };
    }
  }

  onDead(_row: OutboxRow, error: string): MachineEventLike {
    return retriesExhausted('whatsapp', error);
  }
}
