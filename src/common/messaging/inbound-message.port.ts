/**
 * A message a person sent us, on either channel, after authentication and dedupe: what the bot
 * gets from src/inbound/ for each recorded WhatsApp or SMS message.
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
