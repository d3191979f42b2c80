import type { MessageContent } from '../common/messaging/channel.port';
import {
  type OutboundMessagePayload,
  type ReplyTarget,
  replyMessage,
} from '../common/messaging/outbound-message';
import { replyOptions, type StructuredReply } from '../common/messaging/reply';
import type { Locale } from '../config/app-config';
import type { BotChannel } from '../machines/conversation.machine';

export type { BotChannel, ReplyTarget };

/**
 * One reply. `key` names the catalogue entry (or problem) it came from, so logs and tests can
 * tell replies apart without reading their text. `options` are the ids of the buttons or list
 * rows in the order they were offered: on SMS a reply "2" means the second one.
 *
 * A reply either says what to say (`say`, rendered in the recipient's language when it
 * leaves: the way every reply should go) or carries text its caller already rendered.
 */
export type BotReply = SaidReply | RenderedReply;

export interface SaidReply {
  key: string;
  say: StructuredReply;
  options: string[];
}

export interface RenderedReply {
  key: string;
  content: MessageContent;
  smsText?: string;
  options: string[];
}

/** A structured reply, rendered late: `reply(sayReply('list_empty'))`. */
export function said(reply: StructuredReply): SaidReply {
  return { key: reply.key, say: reply, options: replyOptions(reply) };
}

/** Text its caller rendered now. Prefer saying it (`said(sayReply(key, values))`): rendered late. */
export function textReply(key: string, body: string): RenderedReply {
  return { key, content: { type: 'text', body }, options: [] };
}

/** The delivery request for a bot reply: pinned to the channel the person wrote on. */
export function replyPayload(
  target: ReplyTarget,
  reply: BotReply,
  locale: Locale,
): OutboundMessagePayload {
  if ('say' in reply) return replyMessage(target, locale, reply.say);
  return {
    to: target.to,
    channel: target.channel,
    purpose: 'bot_reply',
    content: reply.content,
    ...(reply.smsText ? { smsText: reply.smsText } : {}),
    ...(target.conversationId ? { conversationId: target.conversationId } : {}),
    ...(target.invoiceId ? { invoiceId: target.invoiceId } : {}),
    replyKey: reply.key,
  };
}
