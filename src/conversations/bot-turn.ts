import type { EntityManager } from 'typeorm';
import type { InboundMessage } from '../common/messaging/inbound-message.port';
import type { Locale } from '../config/app-config';
import type { DeliverPort } from '../runtime/deliver-port';
import { type BotReply, replyPayload } from './bot-reply';

/**
 * One inbound message being handled, inside one transaction (invoices, payments and merchants
 * it creates included). Reply rows and machine events are keyed by the provider message id, so
 * a redelivered webhook repeats nothing.
 */
export class BotTurn {
  private replies = 0;
  private events = 0;

  constructor(
    readonly message: InboundMessage,
    /** The turn's transaction: the claim of the message, its effects and its replies commit together. */
    readonly manager: EntityManager,
    private readonly deliveries: DeliverPort,
    public locale: Locale,
  ) {}

  get from(): string {
    return this.message.from;
  }

  /**
   * Delivers a reply on the channel the person wrote on, in this turn's transaction: the
   * delivery exists if and only if the turn commits. It is rendered in `locale` when it leaves.
   */
  async reply(reply: BotReply, extra: { invoiceId?: string; conversationId?: string } = {}) {
    const index = this.replies++;
    await this.deliveries.deliver(this.manager, {
      key: `bot:${this.message.channel}:${this.message.id}:${index}`,
      source: `bot:${this.message.channel}`,
      message: replyPayload(
        { to: this.from, channel: this.message.channel, ...extra },
        reply,
        this.locale,
      ),
    });
  }

  /** A dedupe key for the next machine event this message causes. */
  nextEventKey(): string {
    return `msg:${this.message.channel}:${this.message.id}:${this.events++}`;
  }
}
