import type { EntityManager } from 'typeorm';
import type { MachineEventLike, OutboxResult } from '../../runtime/outbox';
import type { MessageContent, SendOutcome } from '../channel.port';
import type { MessageKind } from '../message.entity';
import type { DeliveryRecord } from './delivery-rows';

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

/**
 * One `messages` row per answered send attempt (metadata only, never the body), grouped by the
 * delivery through logical_id. A provider id seen twice (a retried handler) is one row.
 */
export async function recordAttempt(
  manager: Pick<EntityManager, 'query'>,
  delivery: DeliveryRecord,
  attempt: SendAttempt,
): Promise<void> {
  await manager.query(
    `INSERT INTO messages (direction, channel, provider_message_id, logical_id, invoice_id, conversation_id,
                           recipient, purpose, kind, status, queued_at, sent_at, failed_at, error_code, error_title)
     VALUES ('outbound', $1, $2, $3,
             (SELECT id FROM invoices WHERE id = $4::uuid),
             (SELECT id FROM conversations WHERE id = $5::uuid),
             $6, $7, $8, $9, $10,
             CASE WHEN $9 = 'sent' THEN $10::timestamptz END,
             CASE WHEN $9 = 'failed' THEN $10::timestamptz END,
             $11, $12)
     ON CONFLICT (channel, provider_message_id) DO NOTHING`,
    [
      attempt.channel,
      attempt.providerMessageId,
      delivery.id,
      delivery.invoiceId,
      delivery.conversationId,
      delivery.recipient,
      delivery.purpose,
      attempt.kind,
      attempt.status,
      attempt.at,
      attempt.errorCode ?? null,
      attempt.errorTitle?.slice(0, 200) ?? null,
    ],
  );
}

/**
 * The provider id of an attempt on this channel the provider already accepted, if any. A send
 * handler re-run after a crash between "accepted" and "recorded in the machine" answers with it
 * instead of sending the message a second time.
 */
export async function acceptedAttempt(
  manager: Pick<EntityManager, 'query'>,
  deliveryId: string,
  channel: 'whatsapp' | 'sms',
): Promise<string | null> {
  const rows: { provider_message_id: string }[] = await manager.query(
    `SELECT provider_message_id FROM messages
      WHERE logical_id = $1 AND channel = $2 AND direction = 'outbound'
        AND provider_message_id IS NOT NULL AND status <> 'failed'
      ORDER BY created_at LIMIT 1`,
    [deliveryId, channel],
  );
  return rows[0]?.provider_message_id ?? null;
}

/**
 * A send that started and never recorded an answer (the process died mid-send, or the provider
 * did not answer in time) is not sent again: it counts as accepted without a provider id, so no
 * status will ever confirm it and the delivery's fallback (WhatsApp → SMS) covers a message that
 * in fact never arrived.
 */
export async function recordUnconfirmedSend(
  manager: Pick<EntityManager, 'query'>,
  delivery: DeliveryRecord,
  attempt: Pick<SendAttempt, 'channel' | 'kind' | 'at'>,
): Promise<OutboxResult> {
  const providerMessageId = `unconfirmed:${delivery.id}`;
  await recordAttempt(manager, delivery, { ...attempt, providerMessageId, status: 'sent' });
  return {
    status: 'done',
    event: { type: 'SEND_ACCEPTED', channel: attempt.channel, providerMessageId },
  };
}

type Refusal = Extract<SendOutcome, { status: 'fallback' | 'permanent' }>;

/** Records a refused send attempt: a `messages` row with the provider's code. */
export async function recordRefusal(
  manager: Pick<EntityManager, 'query'>,
  delivery: DeliveryRecord,
  attempt: Pick<SendAttempt, 'channel' | 'kind' | 'at'>,
  outcome: Refusal,
): Promise<void> {
  await recordAttempt(manager, delivery, {
    ...attempt,
    providerMessageId: null,
    status: 'failed',
    errorCode: outcome.code,
    errorTitle: outcome.reason,
  });
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
