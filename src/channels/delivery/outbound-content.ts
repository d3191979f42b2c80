import { renderReply } from '../../common/i18n/render-reply';
import type { ChannelName, MessageContent } from '../../common/messaging/channel.port';
import {
  isStructuredMessage,
  type OutboundMessagePayload,
  type RenderedOutboundMessage,
} from '../../common/messaging/outbound-message';
import { LOCALES } from '../../common/i18n/catalogue';

/**
 * A delivery's payload as it goes out. A structured reply is rendered here, at send time, in
 * the language it names; a payload its sender rendered (invoice notices) goes as it is.
 */
function rendered(
  message: OutboundMessagePayload,
): Pick<RenderedOutboundMessage, 'content' | 'smsText'> {
  return isStructuredMessage(message) ? renderReply(message.locale, message.reply) : message;
}

/** The SMS wording of a payload: its smsText, or the body of plain text content. */
export function smsTextOf(message: OutboundMessagePayload): string | undefined {
  const { content, smsText } = rendered(message);
  if (typeof smsText === 'string' && smsText.length > 0) return smsText;
  return content.type === 'text' ? content.body : undefined;
}

/** What `channel` puts on its wire: SMS carries text, WhatsApp the content itself. */
export function contentFor(message: OutboundMessagePayload, channel: ChannelName): MessageContent {
  const { content } = rendered(message);
  if (channel === 'whatsapp') return content;
  const text = smsTextOf(message);
  return text ? { type: 'text', body: text } : content;
}

/** Why no channel could ever send this payload, or null when it is sendable. */
export function contentProblem(message: OutboundMessagePayload): string | null {
  if (isStructuredMessage(message)) {
    if (typeof message.reply.key !== 'string' || typeof message.reply.body !== 'object')
      return 'reply is malformed';
    return LOCALES.includes(message.locale) ? null : 'locale must be en or sw';
  }
  const content: unknown = message.content;
  if (!content || typeof content !== 'object' || !('type' in content)) return 'content is missing';
  // A template's wording lives at Meta: an SMS needs its own text.
  if (message.channel !== 'whatsapp' && message.content.type === 'template' && !smsTextOf(message))
    return 'smsText is required with template content';
  return null;
}
