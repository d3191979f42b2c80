import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Locale } from '../config/app-config';
import {
  CONVERSATION_MACHINE_KIND,
  type ConversationInput,
} from '../machines/conversation.machine';
import { MachineRunner } from '../runtime/machine-runner';
import type { BotChannel } from './bot-reply';
import { type ConversationRow, ConversationRepository } from './conversation.repository';

export type { ConversationRow } from './conversation.repository';

/** The conversation of one (channel, phone), created on first contact and locked per message. */
@Injectable()
export class ConversationStore {
  constructor(
    private readonly runner: MachineRunner,
    private readonly conversations: ConversationRepository,
  ) {}

  /**
   * Find-or-create, then lock: concurrent messages from one person (even on two instances)
   * queue here and see each other's effects in order.
   */
  async lock(
    manager: EntityManager,
    channel: BotChannel,
    peer: string,
    owner: { merchantId: string | null; locale: Locale },
  ): Promise<ConversationRow> {
    const id = await this.conversations.insertIfAbsent(manager, channel, peer, owner.merchantId);
    if (id) {
      const input: ConversationInput = {
        conversationId: id,
        merchantId: owner.merchantId,
        peer,
        channel,
        locale: owner.locale,
      };
      await this.runner.start(CONVERSATION_MACHINE_KIND, id, { ...input }, manager, 'bot');
    }
    return this.read(manager, channel, peer, true) as Promise<ConversationRow>;
  }

  /** The row (locked when asked), or null when this person never wrote on this channel. */
  read(
    manager: EntityManager,
    channel: BotChannel,
    peer: string,
    forUpdate = false,
  ): Promise<ConversationRow | null> {
    return this.conversations.find(manager, channel, peer, forUpdate);
  }

  /** After a stranger registers, the conversation belongs to the new merchant. */
  attachMerchant(manager: EntityManager, id: string, merchantId: string): Promise<void> {
    return this.conversations.setMerchant(manager, id, merchantId);
  }
}
