import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CustomersService } from '../../merchants/customers.service';
import { MerchantsService } from '../../merchants/merchants.service';
import type { MessageStatus } from '../message.record';
import { MessageRepository } from '../message.repository';
import type {
  WhatsAppMessageEvent,
  WhatsAppStatusEvent,
  WhatsAppWebhookEvent,
} from './whatsapp-events';

/**
 * A status for a wamid no messages row carries (yet): the webhook can outrun the sender storing
 * the id it just got back. Thrown so the event stays unprocessed and is replayed later.
 */
export class UnmatchedStatusError extends Error {
  constructor(readonly providerMessageId: string) {
    super('No WhatsApp message row carries this provider message id yet');
    this.name = 'UnmatchedStatusError';
  }
}

/**
 * The default WhatsApp event handler: keeps delivery statuses on `messages` rows and the 24-hour
 * window (`last_inbound_at`) on customers and merchants. Composable: a bot-facing handler calls
 * `handle` first and then acts on the event itself.
 */
@Injectable()
export class StatusRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessageRepository,
    private readonly merchants: MerchantsService,
    private readonly customers: CustomersService,
  ) {}

  async handle(event: WhatsAppWebhookEvent): Promise<void> {
    switch (event.kind) {
      case 'status': {
        const result = await this.recordStatus(event);
        if (!result.matched) throw new UnmatchedStatusError(event.id);
        return;
      }
      case 'message':
        await this.recordInbound(event);
        return;
      case 'unknown':
        return;
    }
  }

  /** Applies one status to the outbound message it belongs to; `status` is the row's status after. */
  async recordStatus(
    event: WhatsAppStatusEvent,
  ): Promise<{ matched: false } | { matched: true; status: MessageStatus }> {
    const error = event.status === 'failed' ? event.errors?.[0] : undefined;
    const status = await this.messages.applyWhatsAppStatus(this.dataSource.manager, {
      providerMessageId: event.id,
      status: event.status,
      at: event.timestamp,
      errorCode: error ? String(error.code) : null,
      errorTitle: error?.title ? error.title.slice(0, 200) : null,
    });
    return status ? { matched: true, status } : { matched: false };
  }

  /** Opens (or extends) the 24-hour window of whoever wrote: customers and the merchant. */
  async recordInbound(
    event: WhatsAppMessageEvent,
  ): Promise<{ customers: number; merchants: number }> {
    // One transaction, like the single statement it replaces: both windows move together and
    // are capped at the same now().
    return this.dataSource.transaction(async (tx) => ({
      customers: await this.customers.touchLastInbound(tx, event.from, event.timestamp),
      merchants: await this.merchants.touchLastInbound(tx, event.from, event.timestamp),
    }));
  }
}
