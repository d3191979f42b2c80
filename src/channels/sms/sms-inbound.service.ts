import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { hashPhone, maskPhone } from '../../common/logging/redact';
import { AppConfig } from '../../config/app-config';
import { queryRows } from '../../database/sql';
import {
  claimInboundEvent,
  failInboundEvent,
  INBOUND_DUE,
  inboundErrorType,
} from '../../runtime/inbound-retries';
import type { InboundSmsCallback } from './sms-callback.parser';
import { AT_PROVIDER, SmsEventLedger } from './sms-event-ledger';
import {
  SMS_INBOUND_HANDLER,
  type SmsInboundHandler,
  type SmsInboundMessage,
} from './sms-inbound.port';

/**
 * handled: the bot took it · duplicate: already handled or in flight elsewhere · stored: no
 * handler bound · failed: the handler threw, it will be tried again · dead: it threw and that was
 * its last attempt (visible in GET /admin/inbound-events).
 */
export type InboundResult = 'handled' | 'duplicate' | 'stored' | 'failed' | 'dead';

interface StoredInbound {
  id: string;
  from: string;
  to: string;
  text: string;
  receivedAt: string;
  networkCode?: string;
  linkId?: string;
}

/**
 * Inbound SMS: dedupe on AT's id, store the message for replay, hand it to the bot's
 * SMS_INBOUND_HANDLER, mark it processed. A handler that throws answers 503 (Africa's Talking
 * retries, and its retry takes the message straight over); when AT stops retrying, the scheduled
 * sweeper (SmsInboundSweeper → processPending) tries again with backoff, up to
 * INBOUND_MAX_ATTEMPTS runs in all, then marks the message dead. Without a handler the message
 * waits in inbound_events (processed_at null) and processPending delivers it once one is bound.
 * The stored payload holds the text and the sender: it exists only to be replayed, and the
 * retention job deletes it with the row.
 */
@Injectable()
export class SmsInboundService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SmsInboundService.name);
  private handler?: SmsInboundHandler;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: SmsEventLedger,
    private readonly moduleRef: ModuleRef,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    try {
      this.handler = this.moduleRef.get<SmsInboundHandler>(SMS_INBOUND_HANDLER, { strict: false });
    } catch {
      this.logger.warn('No SMS_INBOUND_HANDLER bound: inbound SMS are stored, not processed');
    }
  }

  get hasHandler(): boolean {
    return this.handler !== undefined;
  }

  async receive(sms: InboundSmsCallback, now = new Date()): Promise<InboundResult> {
    const message: SmsInboundMessage = {
      id: sms.id,
      from: sms.from,
      to: sms.to,
      text: sms.text,
      receivedAt: sms.date ?? now,
      ...(sms.networkCode ? { networkCode: sms.networkCode } : {}),
      ...(sms.linkId ? { linkId: sms.linkId } : {}),
    };
    const stored: StoredInbound = { ...message, receivedAt: message.receivedAt.toISOString() };
    const externalId = `inbound:${sms.id}`;
    const inserted = await this.ledger.insertOnce(
      externalId,
      { ...stored },
      { claimed: this.handler !== undefined },
    );
    if (inserted) return this.deliver(inserted, message, 1);
    // A retry of a message whose earlier attempt failed (or was abandoned) may take it over.
    const claimed = this.handler
      ? await claimInboundEvent(
          this.dataSource,
          AT_PROVIDER,
          { externalId },
          { takeOverFailed: true },
        )
      : null;
    if (!claimed) {
      this.log('duplicate', message);
      return 'duplicate';
    }
    return this.deliver(claimed.id, message, claimed.attempts);
  }

  /**
   * Delivers stored inbound SMS that are due: their last attempt failed and its backoff passed,
   * a run died mid-way (lease expired), or they arrived with no handler bound. Run on a schedule
   * by SmsInboundSweeper; safe on every instance at once (each row is claimed before it is
   * handled). Returns how many were handled.
   */
  async processPending(limit = 50): Promise<number> {
    if (!this.handler) return 0;
    const candidates = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM inbound_events
        WHERE provider = $1 AND external_id LIKE 'inbound:%' AND ${INBOUND_DUE}
        ORDER BY received_at, id LIMIT $2`,
      [AT_PROVIDER, limit],
    );
    let handled = 0;
    for (const { id } of candidates) {
      const claimed = await claimInboundEvent(this.dataSource, AT_PROVIDER, { id: String(id) });
      if (!claimed) continue;
      const p = claimed.payload as StoredInbound;
      const result = await this.deliver(
        claimed.id,
        {
          id: p.id,
          from: p.from,
          to: p.to,
          text: p.text,
          receivedAt: new Date(p.receivedAt),
          ...(p.networkCode ? { networkCode: p.networkCode } : {}),
          ...(p.linkId ? { linkId: p.linkId } : {}),
        },
        claimed.attempts,
      );
      if (result === 'handled') handled += 1;
    }
    return handled;
  }

  private async deliver(
    eventId: string,
    message: SmsInboundMessage,
    attempts: number,
  ): Promise<InboundResult> {
    if (!this.handler) {
      this.log('stored', message);
      return 'stored';
    }
    try {
      await this.handler.handle(message);
    } catch (err) {
      // The error's message may quote the text: only its type is kept and logged.
      const error = inboundErrorType(err);
      const next = await failInboundEvent(this.dataSource, eventId, {
        error,
        attempts,
        maxAttempts: this.config.inbound.maxAttempts,
      });
      const log = { smsId: message.id, inboundEventId: eventId, error, attempts };
      if (next === 'dead') {
        this.logger.error({ msg: 'sms inbound dead: no attempts left', ...log });
        return 'dead';
      }
      this.logger.error({ msg: 'sms inbound handler failed', ...log });
      return 'failed';
    }
    await this.ledger.markProcessed(eventId);
    this.log('handled', message);
    return 'handled';
  }

  private log(result: InboundResult, message: SmsInboundMessage): void {
    this.logger.log({
      msg: 'sms inbound',
      smsId: message.id,
      from: maskPhone(message.from),
      fromHash: hashPhone(message.from),
      length: message.text.length,
      result,
    });
  }
}
