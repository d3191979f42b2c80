import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Channel, ChannelName, SendOutcome } from '../../common/messaging/channel.port';
import type { DeliveryState } from '../../machines/delivery.machine';
import { Clock } from '../../runtime/clock';
import type { MachineEventLike, OutboxHandler, OutboxResult } from '../../runtime/outbox';
import type { OutboxRow } from '../../runtime/outbox';
import type { MessageKind } from '../message.record';
import { SmsChannel } from '../sms/africastalking.client';
import { WhatsAppChannel } from '../whatsapp/whatsapp.client';
import { deliveryIdOf } from './delivery-rows';
import { DeliveryRepository } from './delivery.repository';
import { MessageLog, messageKindOf, retriesExhausted, retryLater } from './message-log';
import { contentFor } from './outbound-content';

type Refusal = Extract<SendOutcome, { status: 'fallback' | 'permanent' }>;

/** How the delivery policy uses each channel; everything else about a send is the same. */
interface ChannelRole {
  /** The delivery state in which this channel's send is still wanted. */
  pending: DeliveryState;
  /** The `messages.kind` of an attempt: the content's type on WhatsApp, always 'sms' on SMS. */
  kind: (content: Parameters<typeof messageKindOf>[0]) => MessageKind;
  /** The machine event for a refusal. SMS is the last resort: any refusal fails it. */
  refused: (outcome: Refusal) => 'SEND_FALLBACK' | 'SEND_FAILED';
  logRefusal: (logger: Logger, deliveryId: string, outcome: Refusal) => void;
}

const ROLES: Record<ChannelName, ChannelRole> = {
  whatsapp: {
    // The policy moved on (a status or the timer overtook this row): sending now would duplicate.
    pending: 'WHATSAPP_PENDING',
    kind: messageKindOf,
    refused: (outcome) => (outcome.status === 'fallback' ? 'SEND_FALLBACK' : 'SEND_FAILED'),
    logRefusal: (logger, deliveryId, outcome) =>
      logger.log({
        msg: 'WhatsApp could not take the message',
        deliveryId,
        outcome: outcome.status,
        code: outcome.code,
      }),
  },
  sms: {
    // WhatsApp confirmed delivery while this row waited: the SMS is no longer needed.
    pending: 'SMS_PENDING',
    kind: () => 'sms',
    refused: () => 'SEND_FAILED',
    logRefusal: (logger, deliveryId, outcome) =>
      logger.warn({
        msg: 'SMS refused',
        deliveryId,
        code: outcome.code,
        ...(outcome.status === 'permanent' && outcome.alert ? { alert: true } : {}),
      }),
  },
};

/**
 * 'whatsapp.send' and 'sms.send': one attempt of a delivery on one channel, over the Channel
 * port. The send is marked started (committed) before the HTTP call, so a crash or a timeout
 * never sends twice: a send found started, or one that timed out, is recorded as
 * `unconfirmed:<deliveryId>` and left to the fallback. The outcome goes back to the delivery
 * machine as an event; retryable answers retry through the outbox backoff. A structured reply is
 * rendered here, as it leaves.
 */
@Injectable()
export class ChannelSendHandler {
  private readonly logger = new Logger(ChannelSendHandler.name);
  private readonly channels: Record<ChannelName, Channel>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryRepository,
    private readonly log: MessageLog,
    private readonly clock: Clock,
    whatsapp: WhatsAppChannel,
    sms: SmsChannel,
  ) {
    this.channels = { whatsapp, sms };
  }

  handlerFor(channel: ChannelName): OutboxHandler {
    return {
      handle: (row) => this.handle(channel, row),
      onDead: (_row: OutboxRow, error: string): MachineEventLike =>
        retriesExhausted(channel, error),
    };
  }

  async handle(channel: ChannelName, row: OutboxRow): Promise<OutboxResult> {
    const role = ROLES[channel];
    // Each statement commits on its own: the started mark must be durable before the call.
    const db = this.dataSource.manager;
    const delivery = await this.deliveries.findById(db, deliveryIdOf(row));
    if (!delivery) return { status: 'permanent', error: 'delivery not found' };
    if (delivery.state !== role.pending) return { status: 'done' };
    const earlier = await this.log.acceptedAttempt(db, delivery.id, channel);
    if (earlier)
      return {
        status: 'done',
        event: { type: 'SEND_ACCEPTED', channel, providerMessageId: earlier },
      };

    const content = contentFor(delivery.payload, channel);
    const base = { channel, kind: role.kind(content), at: this.clock.now() };
    if (!(await this.deliveries.markSendStarted(db, delivery.id, channel, base.at))) {
      return this.log.recordUnconfirmedSend(db, delivery, base);
    }
    const outcome = await this.channels[channel].send({ to: delivery.recipient, content });
    switch (outcome.status) {
      case 'accepted':
        await this.log.recordAttempt(db, delivery, {
          ...base,
          providerMessageId: outcome.providerMessageId,
          status: 'sent',
        });
        return {
          status: 'done',
          event: { type: 'SEND_ACCEPTED', channel, providerMessageId: outcome.providerMessageId },
        };
      case 'retryable':
        if (outcome.maybeSent) return this.log.recordUnconfirmedSend(db, delivery, base);
        await this.deliveries.clearSendStarted(db, delivery.id, channel);
        return retryLater(outcome);
      case 'fallback':
      case 'permanent':
        await this.log.recordRefusal(db, delivery, base, outcome);
        role.logRefusal(this.logger, delivery.id, outcome);
        return {
          status: 'done',
          event: { type: role.refused(outcome), channel, code: outcome.code },
        };
    }
  }
}
