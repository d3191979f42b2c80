import type { Locale } from '../../config/app-config';
import type { MessageContent } from './channel.port';
import type { StructuredReply } from './reply';

/**
 * The outbox kind replies used to travel as before a delivery was made in the deciding
 * transaction (the runner's `deliver` effect). Only rows enqueued before that upgrade still
 * carry it; the delivery module keeps a handler for them.
 */
export const MESSAGE_SEND = 'message.send';

/**
 * "Send this to this person", as the delivery module takes it. `channel: 'auto'` applies the
 * delivery policy (WhatsApp first, one SMS fallback); 'whatsapp' / 'sms' pin the channel (bot
 * replies go where the merchant wrote).
 */
interface OutboundMessageHead {
  [key: string]: unknown;
  /** E.164 Kenyan mobile. */
  to: string;
  channel: 'auto' | 'whatsapp' | 'sms';
  /** What the message is for: 'bot_reply', 'invoice', 'reminder', 'receipt', 'merchant_notice', … */
  purpose: string;
  invoiceId?: string;
  conversationId?: string;
  /** Names a bot reply in logs and tests without its text. */
  replyKey?: string;
}

/** A message rendered by its sender (invoice notices, receipts). */
export interface RenderedOutboundMessage extends OutboundMessageHead {
  /** WhatsApp rendering (also used for SMS when `smsText` is absent: text bodies only). */
  content: MessageContent;
  /** Plain-text rendering for SMS; required when the content is not plain text. */
  smsText?: string;
}

/** A message that says what to say; rendered in `locale` when it leaves (render-reply.ts). */
export interface StructuredOutboundMessage extends OutboundMessageHead {
  reply: StructuredReply;
  locale: Locale;
}

export type OutboundMessagePayload = RenderedOutboundMessage | StructuredOutboundMessage;

export function isStructuredMessage(
  message: OutboundMessagePayload,
): message is StructuredOutboundMessage {
  return typeof message.reply === 'object' && message.reply !== null;
}

/** Where a bot reply goes: the number and the channel the person wrote on. */
export interface ReplyTarget {
  to: string;
  channel: 'whatsapp' | 'sms';
  conversationId?: string;
  invoiceId?: string;
}

/** A bot reply, pinned to the channel the person wrote on, rendered late in their language. */
export function replyMessage(
  target: ReplyTarget,
  locale: Locale,
  reply: StructuredReply,
): StructuredOutboundMessage {
  return {
    to: target.to,
    channel: target.channel,
    purpose: 'bot_reply',
    ...(target.conversationId ? { conversationId: target.conversationId } : {}),
    ...(target.invoiceId ? { invoiceId: target.invoiceId } : {}),
    replyKey: reply.key,
    locale,
    reply,
  };
}
