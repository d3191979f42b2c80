import type { MessageContent, ReplyButton } from '../common/messaging/channel.port';
import { MESSAGE_SEND, type OutboundMessagePayload } from '../common/messaging/outbound-message';
import type { Locale } from '../config/app-config';
import { t } from '../common/i18n/catalogue';

export type BotChannel = 'whatsapp' | 'sms';

/**
 * One reply, rendered for both channels. `key` names the catalogue entry (or problem) it came
 * from, so logs and tests can tell replies apart without reading their text. `options` are the
 * ids of the buttons or list rows in the order they were offered: on SMS a reply "2" means the
 * second one.
 */
export interface BotReply {
  key: string;
  content: MessageContent;
  smsText?: string;
  options: string[];
}

export function textReply(key: string, body: string): BotReply {
  return { key, content: { type: 'text', body }, options: [] };
}

/** Buttons on WhatsApp; on SMS numbered "Reply 1 for Send" lines, or the `smsHint` keywords. */
export function buttonsReply(
  locale: Locale,
  key: string,
  body: string,
  buttons: ReplyButton[],
  smsHint?: string,
): BotReply {
  const numbered = buttons.map((b, i) =>
    t(locale, 'sms_reply_option', { n: i + 1, title: b.title }),
  );
  return {
    key,
    content: { type: 'buttons', body, buttons },
    smsText: [body, ...(smsHint ? [smsHint] : numbered)].join('\n'),
    // Keyword hints answer with commands, not numbers: nothing to map back.
    options: smsHint ? [] : buttons.map((b) => b.id),
  };
}

export function listReply(
  locale: Locale,
  key: string,
  body: string,
  buttonText: string,
  rows: { id: string; title: string }[],
): BotReply {
  const numbered = rows.map((r, i) => t(locale, 'sms_reply_option', { n: i + 1, title: r.title }));
  return {
    key,
    content: { type: 'list', body, buttonText, rows },
    smsText: [body, ...numbered].join('\n'),
    options: rows.map((r) => r.id),
  };
}

export interface ReplyTarget {
  to: string;
  channel: BotChannel;
  conversationId?: string;
  invoiceId?: string;
}

/** The 'message.send' payload for a bot reply: pinned to the channel the person wrote on. */
export function replyPayload(target: ReplyTarget, reply: BotReply): OutboundMessagePayload {
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

export { MESSAGE_SEND };
