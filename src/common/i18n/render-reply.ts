import type { Locale } from '../../config/app-config';
import type { MessageContent } from '../messaging/channel.port';
import type { SayText, SayValue, StructuredReply } from '../messaging/reply';
import { CATALOGUES, interpolate, t } from './catalogue';
import {
  customerLabel,
  formatAmount,
  formatDate,
  formatDateTime,
  formatPhone,
  formatTime,
  maskPhoneForList,
} from './format';

/** A reply as it goes out: WhatsApp content, and the SMS wording where it differs. */
export interface RenderedReply {
  content: MessageContent;
  smsText?: string;
}

/** "Mary (0712 345 678)"; the number alone without a name, the name alone without a number. */
export function customerWithPhoneLabel(name: string | null, phone: string | null): string {
  if (phone === null) return name ?? '';
  return name ? `${name} (${formatPhone(phone)})` : formatPhone(phone);
}

function renderValue(locale: Locale, value: SayValue): string | number {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if ('amount' in value) return formatAmount(value.amount);
  if ('phone' in value) return formatPhone(value.phone);
  if ('maskedPhone' in value) return maskPhoneForList(value.maskedPhone);
  if ('date' in value) return formatDate(new Date(value.date), locale);
  if ('time' in value) return formatTime(new Date(value.time));
  if ('dateTime' in value) return formatDateTime(new Date(value.dateTime), locale);
  if ('customer' in value) return customerLabel(value.customer.name, value.customer.phone);
  if ('customerWithPhone' in value)
    return customerWithPhoneLabel(value.customerWithPhone.name, value.customerWithPhone.phone);
  return renderText(locale, value.text);
}

/** The text in `locale` (English where a text is missing), every value formatted for it. */
export function renderText(locale: Locale, text: SayText): string {
  if ('join' in text) return text.join.map((part) => renderText(locale, part)).join(text.with);
  const template = CATALOGUES[locale][text.say] ?? CATALOGUES.en[text.say];
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(text.values ?? {}))
    params[name] = renderValue(locale, value);
  return interpolate(template, params);
}

/**
 * Buttons on WhatsApp; on SMS the body with numbered "Reply 1 for Send" lines, or the
 * `smsHint` keywords instead.
 */
export function renderReply(locale: Locale, reply: StructuredReply): RenderedReply {
  const body = renderText(locale, reply.body);
  const offer = reply.offer;
  if (!offer) return { content: { type: 'text', body } };
  const choices =
    'buttons' in offer
      ? offer.buttons.map((b) => ({ id: b.id, title: t(locale, b.title) }))
      : offer.list.rows.map((r) => ({ id: r.id, title: t(locale, r.title) }));
  const numbered = choices.map((c, i) =>
    t(locale, 'sms_reply_option', { n: i + 1, title: c.title }),
  );
  const smsText = [body, ...(reply.smsHint ? [renderText(locale, reply.smsHint)] : numbered)].join(
    '\n',
  );
  const content: MessageContent =
    'buttons' in offer
      ? { type: 'buttons', body, buttons: choices }
      : { type: 'list', body, buttonText: t(locale, offer.list.button), rows: choices };
  return { content, smsText };
}
