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
 * One reply: what to say (`say`), rendered in the recipient's language when it leaves. `key`
 * names the catalogue entry (or problem) it came from, so logs and tests can tell replies apart
 * without reading their text. `options` are the ids of the buttons or list rows in the order
 * they were offered: on SMS a reply "2" means the second one.
 */
export interface BotReply {
  key: string;
  say: StructuredReply;
  options: string[];
}

/** A structured reply, rendered late: `reply(said(sayReply('list_empty')))`. */
export function said(reply: StructuredReply): BotReply {
  return { key: reply.key, say: reply, options: replyOptions(reply) };
}

/** The delivery request for a bot reply: pinned to the channel the person wrote on. */
export function replyPayload(
  target: ReplyTarget,
  reply: BotReply,
  locale: Locale,
): OutboundMessagePayload {
  return replyMessage(target, locale, reply.say);
}
