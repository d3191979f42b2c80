import type { MessageContent } from './channel.port';

/**
 * Outbox kind for "send this to this person": any module (bot, payments, invoices) enqueues it,
 * the delivery module handles it. `channel: 'auto'` applies the delivery policy (WhatsApp first,
 * one SMS fallback); 'whatsapp' / 'sms' pin the channel (bot replies go where the merchant wrote).
 */
export const MESSAGE_SEND = 'message.send';

export interface OutboundMessagePayload {
  [key: string]: unknown;
  /** E.164 Kenyan mobile. */
  to: string;
  channel: 'auto' | 'whatsapp' | 'sms';
  /** What the message is for: 'bot_reply', 'invoice', 'reminder', 'receipt', 'merchant_notice', … */
  purpose: string;
  /** WhatsApp rendering (also used for SMS when `smsText` is absent: text bodies only). */
  content: MessageContent;
  /** Plain-text rendering for SMS; required when the content is not plain text. */
  smsText?: string;
  invoiceId?: string;
  conversationId?: string;
}
