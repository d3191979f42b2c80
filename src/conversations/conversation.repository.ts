import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import type { ConversationContext } from '../machines/conversation.machine';
import type { BotChannel } from './bot-reply';

export interface ConversationRow {
  id: string;
  state: string;
  context: ConversationContext;
}

/** Every statement on `conversations` (the runner saves their snapshots through its machine row). */
@Injectable()
export class ConversationRepository {
  /** The new row's id, or null when this (channel, peer) has one already. */
  async insertIfAbsent(
    tx: EntityManager,
    channel: BotChannel,
    peer: string,
    merchantId: string | null,
  ): Promise<string | null> {
    const [row] = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO conversations (channel, peer_phone, merchant_id, state)
       VALUES ($1, $2, $3, 'IDLE')
       ON CONFLICT (channel, peer_phone) DO NOTHING RETURNING id`,
      [channel, peer, merchantId],
    );
    return row?.id ?? null;
  }

  /** The row (locked when asked), or null when this person never wrote on this channel. */
  async find(
    tx: EntityManager,
    channel: BotChannel,
    peer: string,
    forUpdate: boolean,
  ): Promise<ConversationRow | null> {
    const [row] = await queryRows<{
      id: string;
      state: string;
      snapshot: { context: ConversationContext };
    }>(
      tx,
      `SELECT id, state, snapshot FROM conversations WHERE channel = $1 AND peer_phone = $2
       ${forUpdate ? 'FOR UPDATE' : ''}`,
      [channel, peer],
    );
    return row ? { id: row.id, state: row.state, context: row.snapshot.context } : null;
  }

  async setMerchant(tx: EntityManager, id: string, merchantId: string): Promise<void> {
    await tx.query(`UPDATE conversations SET merchant_id = $2 WHERE id = $1`, [id, merchantId]);
  }

  async countIdleBefore(tx: EntityManager, before: Date): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      tx,
      `SELECT count(*) AS n FROM conversations WHERE state = 'IDLE' AND updated_at < $1`,
      [before],
    );
    return Number(row?.n ?? 0);
  }

  /** Deletes up to `limit` of them; returns how many. */
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
