import type { EntityManager } from 'typeorm';
import type { InboundMessage } from '../common/messaging/inbound-message.port';
import type { Locale } from '../config/app-config';
import { enqueueOutbox } from '../runtime/outbox';
import type { RuntimeSignals } from '../runtime/runtime-signals';
import { type BotReply, MESSAGE_SEND, replyPayload } from './bot-reply';

/**
 * One inbound message being handled, inside one transaction. Reply rows and machine events
 * are keyed by the provider message id, so a redelivered webhook repeats nothing.
 */
export class BotTurn {
  private replies = 0;
  private events = 0;
  private work?: { run: () => Promise<unknown>; then: (result: unknown) => Promise<void> };

  /** The current transaction; a deferred step runs in a second one. */
  manager!: EntityManager;

  constructor(
    readonly message: InboundMessage,
    private readonly signals: RuntimeSignals,
    public locale: Locale,
  ) {}

  /**
   * Work that opens its own transaction (creating an invoice, a payment, a merchant) must not
   * run inside ours: the caller rolls this turn back, runs `run` (idempotent by its key), then
   * runs `then` in a fresh transaction.
   */
  defer<T>(run: () => Promise<T>, then: (result: T) => Promise<void>): void {
    this.work = { run, then: (result) => then(result as T) };
  }

  get deferred() {
    return this.work;
  }

  get from(): string {
    return this.message.from;
  }

  /** Queues a reply on the channel the person wrote on. */
  async reply(reply: BotReply, extra: { invoiceId?: string; conversationId?: string } = {}) {
    const index = this.replies++;
    await enqueueOutbox(this.manager, this.signals, {
      kind: MESSAGE_SEND,
      idempotencyKey: `bot:${this.message.channel}:${this.message.id}:${index}`,
      payload: replyPayload({ to: this.from, channel: this.message.channel, ...extra }, reply),
    });
  }

  /** A dedupe key for the next machine event this message causes. */
  nextEventKey(): string {
    return `msg:${this.message.channel}:${this.message.id}:${this.events++}`;
  }
}
