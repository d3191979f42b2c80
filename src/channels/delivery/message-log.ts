import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { MachineEventLike, OutboxResult } from '../../runtime/outbox';
import type { MessageContent, SendOutcome } from '../../common/messaging/channel.port';
import type { MessageKind } from '../message.record';
import {
  type LatestOutboundMessage,
  MessageRepository,
  type OutboundAttemptRow,
} from '../message.repository';
import type { DeliveryRecord } from './delivery.repository';

export interface SendAttempt {
  channel: 'whatsapp' | 'sms';
  kind: MessageKind;
  providerMessageId: string | null;
  status: 'sent' | 'failed';
  errorCode?: string;
  errorTitle?: string;
  at: Date;
}

export function messageKindOf(content: MessageContent): MessageKind {
  return content.type;
}

/** The `messages` row of one send attempt of a delivery. */
export function attemptRow(delivery: DeliveryRecord, attempt: SendAttempt): OutboundAttemptRow {
  return {
    channel: attempt.channel,
    providerMessageId: attempt.providerMessageId,
    logicalId: delivery.id,
    invoiceId: delivery.invoiceId,
    conversationId: delivery.conversationId,
    recipient: delivery.recipient,
    purpose: delivery.purpose,
    kind: attempt.kind,
    status: attempt.status,
    at: attempt.at,
    errorCode: attempt.errorCode ?? null,
    errorTitle: attempt.errorTitle?.slice(0, 200) ?? null,
  };
}

type Refusal = Extract<SendOutcome, { status: 'fallback' | 'permanent' }>;

/**
 * The send handlers' record of their attempts: one `messages` row per answered send attempt
 * (metadata only, never the body), grouped by the delivery through logical_id.
 */
@Injectable()
export class MessageLog {
  constructor(private readonly messages: MessageRepository) {}

  /** A provider id seen twice (a retried handler) is one row. */
  recordAttempt(tx: EntityManager, delivery: DeliveryRecord, attempt: SendAttempt): Promise<void> {
    return this.messages.insertOutboundAttempt(tx, attemptRow(delivery, attempt));
  }

  /**
   * The provider id of an attempt on this channel the provider already accepted, if any. A send
   * handler re-run after a crash between "accepted" and "recorded in the machine" answers with it
   * instead of sending the message a second time.
   */
  acceptedAttempt(
    tx: EntityManager,
    deliveryId: string,
    channel: 'whatsapp' | 'sms',
  ): Promise<string | null> {
    return this.messages.findAcceptedProviderMessageId(tx, deliveryId, channel);
  }

  /**
   * A send that started and never recorded an answer (the process died mid-send, or the provider
   * did not answer in time) is not sent again: it counts as accepted without a provider id, so no
   * status will ever confirm it and the delivery's fallback (WhatsApp → SMS) covers a message that
   * in fact never arrived.
   */
  async recordUnconfirmedSend(
    tx: EntityManager,
    delivery: DeliveryRecord,
    attempt: Pick<SendAttempt, 'channel' | 'kind' | 'at'>,
  ): Promise<OutboxResult> {
    const providerMessageId = `unconfirmed:${delivery.id}`;
    await this.recordAttempt(tx, delivery, { ...attempt, providerMessageId, status: 'sent' });
    return {
      status: 'done',
      event: { type: 'SEND_ACCEPTED', channel: attempt.channel, providerMessageId },
    };
  }

  /** Records a refused send attempt: a `messages` row with the provider's code. */
  recordRefusal(
    tx: EntityManager,
    delivery: DeliveryRecord,
    attempt: Pick<SendAttempt, 'channel' | 'kind' | 'at'>,
    outcome: Refusal,
  ): Promise<void> {
    return this.recordAttempt(tx, delivery, {
      ...attempt,
      providerMessageId: null,
      status: 'failed',
      errorCode: outcome.code,
      errorTitle: outcome.reason,
    });
  }

  /** The newest outbound message about an invoice, for the merchant's status line. */
  latestForInvoice(tx: EntityManager, invoiceId: string): Promise<LatestOutboundMessage | null> {
    return this.messages.latestOutboundForInvoice(tx, invoiceId);
  }

  /** Retention: how many messages were created before `before`. */
  countCreatedBefore(tx: EntityManager, before: Date): Promise<number> {
    return this.messages.countCreatedBefore(tx, before);
  }

  /** Retention: deletes up to `limit` messages created before `before`; returns how many. */
  deleteCreatedBefore(tx: EntityManager, before: Date, limit: number): Promise<number> {
    return this.messages.deleteCreatedBefore(tx, before, limit);
  }
}

/** A retryable answer goes back to the outbox backoff, honouring the provider's Retry-After. */
export function retryLater(outcome: Extract<SendOutcome, { status: 'retryable' }>): OutboxResult {
  return {
    status: 'retry',
    error: `${outcome.code}: ${outcome.reason}`,
    ...(outcome.retryAfterMs ? { retryAfterMs: outcome.retryAfterMs } : {}),
  };
}

/** What the delivery machine hears when the outbox gave up retrying a channel. */
export function retriesExhausted(channel: 'whatsapp' | 'sms', error: string): MachineEventLike {
  return { type: 'SEND_FAILED', channel, code: `retries_exhausted: ${error}`.slice(0, 100) };
}
