import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { hashPhone, maskPhone } from '../../common/logging/redact';
import type { InboundSmsCallback } from './sms-callback.parser';
import { AT_PROVIDER, rowsOf, SmsEventLedger } from './sms-event-ledger';
import {
  SMS_INBOUND_HANDLER,
  type SmsInboundHandler,
  type SmsInboundMessage,
} from './sms-inbound.port';

/**
 * How long one attempt owns an unprocessed inbound SMS before another (a provider retry, the
 * sweeper, another instance) may take it over. inbound_events has no claim column, so an
 * unprocessed row's received_at doubles as the time of the last claim.
 */
export const INBOUND_CLAIM_MS = 60_000;

export type InboundResult = 'handled' | 'duplicate' | 'stored' | 'failed';

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
 * SMS_INBOUND_HANDLER, mark it processed. Without a handler the message waits in
 * inbound_events (processed_at null) and processPending delivers it once one is bound.
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
    let eventId = await this.ledger.insertOnce(`inbound:${sms.id}`, { ...stored });
    if (!eventId) {
      // A retry of a message whose earlier attempt failed or was abandoned may take it over.
      eventId = this.handler ? await this.claim(`inbound:${sms.id}`) : null;
      if (!eventId) {
        this.log('duplicate', message);
        return 'duplicate';
      }
    }
    return this.deliver(eventId, message);
  }

  /**
   * Delivers stored inbound SMS whose last attempt failed or that arrived with no handler bound.
   * Safe to run from a scheduler on every instance: each row is claimed before it is handled.
   */
  async processPending(limit = 50): Promise<number> {
    if (!this.handler) return 0;
    const candidates = rowsOf<{ external_id: string }>(
      await this.dataSource.query(
        `SELECT external_id FROM inbound_events
         WHERE provider = $1 AND processed_at IS NULL AND external_id LIKE 'inbound:%'
           AND received_at <= now() - ($2::int * interval '1 millisecond')
         ORDER BY received_at LIMIT $3`,
        [AT_PROVIDER, INBOUND_CLAIM_MS, limit],
      ),
    );
    let handled = 0;
    for (const { external_id } of candidates) {
      const claimed = await this.claimWithPayload(external_id);
      if (!claimed) continue;
      const p = claimed.payload;
      const result = await this.deliver(claimed.id, {
        id: p.id,
        from: p.from,
        to: p.to,
        text: p.text,
        receivedAt: new Date(p.receivedAt),
        ...(p.networkCode ? { networkCode: p.networkCode } : {}),
        ...(p.linkId ? { linkId: p.linkId } : {}),
      });
      if (result === 'handled') handled += 1;
    }
    return handled;
  }

  private async deliver(eventId: string, message: SmsInboundMessage): Promise<InboundResult> {
    if (!this.handler) {
      this.log('stored', message);
      return 'stored';
    }
    try {
      await this.handler.handle(message);
    } catch (err) {
      // Release the claim so the provider's retry can take the message straight away.
      await this.dataSource.query(
        `UPDATE inbound_events SET received_at = now() - ($2::int * interval '1 millisecond')
         WHERE id = $1 AND processed_at IS NULL`,
        [eventId, INBOUND_CLAIM_MS],
      );
      // The error's message may quote the text: log its type only.
      this.logger.error({
        msg: 'sms inbound handler failed',
        smsId: message.id,
        error: err instanceof Error ? err.name : typeof err,
      });
      return 'failed';
    }
    await this.ledger.markProcessed(eventId);
    this.log('handled', message);
    return 'handled';
  }

  private async claim(externalId: string): Promise<string | null> {
    return (await this.claimWithPayload(externalId))?.id ?? null;
  }

  private async claimWithPayload(
    externalId: string,
  ): Promise<{ id: string; payload: StoredInbound } | null> {
    const rows = rowsOf<{ id: string; payload: StoredInbound }>(
      await this.dataSource.query(
        `UPDATE inbound_events SET received_at = now()
         WHERE provider = $1 AND external_id = $2 AND processed_at IS NULL
           AND received_at <= now() - ($3::int * interval '1 millisecond')
         RETURNING id, payload`,
        [AT_PROVIDER, externalId, INBOUND_CLAIM_MS],
      ),
    );
    return rows[0] ?? null;
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
