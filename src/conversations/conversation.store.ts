import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Locale } from '../config/app-config';
import { queryRows } from '../database/sql';
import {
  CONVERSATION_MACHINE_KIND,
  type ConversationContext,
  type ConversationInput,
} from '../machines/conversation.machine';
import { MachineRunner } from '../runtime/machine-runner';
import type { BotChannel } from './bot-reply';

export interface ConversationRow {
  id: string;
  state: string;
  context: ConversationContext;
}

/** The conversation row of one (channel, phone), created on first contact and locked per message. */
@Injectable()
export class ConversationStore {
  constructor(private readonly runner: MachineRunner) {}

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
    const inserted = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO conversations (channel, peer_phone, merchant_id, state)
       VALUES ($1, $2, $3, 'IDLE')
       ON CONFLICT (channel, peer_phone) DO NOTHING RETURNING id`,
      [channel, peer, owner.merchantId],
    );
    if (inserted[0]) {
      const input: ConversationInput = {
        conversationId: inserted[0].id,
        merchantId: owner.merchantId,
        peer,
        channel,
        locale: owner.locale,
      };
      await this.runner.start(
        CONVERSATION_MACHINE_KIND,
        inserted[0].id,
        { ...input },
        manager,
        'bot',
      );
    }
    return this.read(manager, channel, peer, true) as Promise<ConversationRow>;
  }

  /** The row (locked when asked), or null when this person never wrote on this channel. */
  async read(
    manager: EntityManager,
    channel: BotChannel,
    peer: string,
    forUpdate = false,
  ): Promise<ConversationRow | null> {
    const rows = await queryRows<{
      id: string;
      state: string;
      snapshot: { context: ConversationContext };
    }>(
      manager,
      `SELECT id, state, snapshot FROM conversations WHERE channel = $1 AND peer_phone = $2
       ${forUpdate ? 'FOR UPDATE' : ''}`,
      [channel, peer],
    );
    const row = rows[0];
    return row ? { id: row.id, state: row.state, context: row.snapshot.context } : null;
  }

  /** After a stranger registers, the conversation belongs to the new merchant. */
  async attachMerchant(manager: EntityManager, id: string, merchantId: string): Promise<void> {
    await manager.query(`UPDATE conversations SET merchant_id = $2 WHERE id = $1`, [
      id,
      merchantId,
    ]);
  }

  /** Retention: how many IDLE conversations were last changed before `before`. */
  async countIdleBefore(tx: EntityManager, before: Date): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      tx,
      `SELECT count(*) AS n FROM conversations WHERE state = 'IDLE' AND updated_at < $1`,
      [before],
    );
    return Number(row?.n ?? 0);
  }

  /** Retention: deletes up to `limit` of those conversations; returns how many. */
  async deleteIdleBefore(tx: EntityManager, before: Date, limit: number): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `DELETE FROM conversations
        WHERE id IN (SELECT id FROM conversations WHERE state = 'IDLE' AND updated_at < $1 LIMIT $2)
        RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }
}
