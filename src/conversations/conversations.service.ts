import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConversationRepository } from './conversation.repository';

/** The way into the `conversations` table for other features. */
@Injectable()
export class ConversationsService {
  constructor(private readonly conversations: ConversationRepository) {}

  /**
   * Retention: conversations back in IDLE last changed before `before`. Nothing is in flight in
   * them; the person's next message starts a new one.
   */
  countIdleBefore(tx: EntityManager, before: Date): Promise<number> {
    return this.conversations.countIdleBefore(tx, before);
  }

  /** Retention: deletes up to `limit` of those conversations; returns how many. */
  deleteIdleBefore(tx: EntityManager, before: Date, limit: number): Promise<number> {
    return this.conversations.deleteIdleBefore(tx, before, limit);
  }
}
