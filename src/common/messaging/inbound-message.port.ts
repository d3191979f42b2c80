/**
 * A message a person sent us, on either channel, after authentication and dedupe. The bot
 * implements the handler; the WhatsApp and SMS webhooks call it.
 */
export interface InboundMessage {
  channel: 'whatsapp' | 'sms';
  /** Provider message id (wamid… / AT id): unique per channel. */
  id: string;
  /** E.164 Kenyan mobile of the sender. */
  from: string;
  type: 'text' | 'button' | 'unsupported';
  /** Typed text (or the title of a tapped button). */
  text?: string;
  /** Id / payload of a tapped reply button, list row or template quick reply, e.g. "pay:INV-7KQ2MX". */
  buttonId?: string;
  receivedAt: Date;
  profileName?: string;
}

export interface InboundMessageHandler {
  handle(message: InboundMessage): Promise<void>;
}

export const INBOUND_MESSAGE_HANDLER = Symbol('INBOUND_MESSAGE_HANDLER');
