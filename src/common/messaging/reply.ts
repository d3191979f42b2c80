import type { MessageKey, ParamNames } from '../i18n/catalogue';
import type { en } from '../i18n/en';

/**
 * What a reply says, as data: catalogue keys and the values for their placeholders. Machines
 * and the bot decide a reply this way; the text is rendered when the message leaves, in the
 * recipient's language (src/common/i18n/render-reply.ts), so no text is made in a transition.
 */

/** A placeholder value, kept raw so that it is formatted for the language it goes out in. */
export type SayValue =
  | string
  | number
  /** Shillings: "KES 1,500". */
  | { amount: number }
  /** E.164: "0712 345 678". */
  | { phone: string }
  /** E.164: "0712 *** 678", enough to tell customers apart in a list. */
  | { maskedPhone: string }
  /** ISO instant: the Nairobi calendar day, "5 Mar 2026" / "5 Machi 2026". */
  | { date: string }
  /** ISO instant: "14:05" Nairobi time. */
  | { time: string }
  /** ISO instant: "5 Mar 2026, 14:05". */
  | { dateTime: string }
  /** The name when known, otherwise the number: "Mary" / "0712 345 678". */
  | { customer: { name: string | null; phone: string } }
  /** Name and number: "Mary (0712 345 678)"; the number alone without a name. */
  | { customerWithPhone: { name: string | null; phone: string | null } }
  /** Another catalogue text, rendered in the same language (an example, a state label, lines). */
  | { text: SayText };

/** One catalogue text with its placeholder values. */
export interface Say {
  say: MessageKey;
  values?: Record<string, SayValue>;
}

/** Texts one after the other, e.g. list lines joined by newlines. */
export interface SayJoined {
  join: SayText[];
  with: string;
}

export type SayText = Say | SayJoined;

/** Buttons (WhatsApp reply buttons, at most 3) or a list; titles are catalogue keys. */
export type SayOffer =
  | { buttons: { id: string; title: MessageKey }[] }
  | { list: { button: MessageKey; rows: { id: string; title: MessageKey }[] } };

/**
 * A whole reply. `key` names it in logs and tests without its text (usually the catalogue key
 * of its body; `err_<problem>` for a refused answer). On SMS an offer becomes numbered
 * "Reply 1 for …" lines, unless `smsHint` replaces them with keywords to type.
 */
export interface StructuredReply {
  key: string;
  body: SayText;
  offer?: SayOffer;
  smsHint?: SayText;
}

type SayParams<K extends MessageKey> = { [P in ParamNames<(typeof en)[K]>]: SayValue };

/** Keys without placeholders take no values; the others must name every one (as `t` does). */
type SayArgs<K extends MessageKey> = [ParamNames<(typeof en)[K]>] extends [never]
  ? []
  : [values: SayParams<K>];

/** `say('reminder_sent', { ref, customer })`: a catalogue text whose values the compiler checks. */
export function say<K extends MessageKey>(key: K, ...args: SayArgs<K>): Say {
  const [values] = args;
  return values === undefined ? { say: key } : { say: key, values };
}

/**
 * `say` for catalogue texts built by string concatenation, whose placeholders the compiler
 * cannot see (their type is plain `string`).
 */
export function sayUnchecked(key: MessageKey, values: Record<string, SayValue>): Say {
  return { say: key, values };
}

/** A reply that is one catalogue text, named by its key. */
export function sayReply<K extends MessageKey>(key: K, ...args: SayArgs<K>): StructuredReply {
  return { key, body: say(key, ...args) };
}

/**
 * The ids of the buttons or rows a reply offers, in order: an SMS answer "2" means the second.
 * Keyword hints answer with commands, not numbers: nothing to map back.
 */
export function replyOptions(reply: StructuredReply): string[] {
  if (!reply.offer || reply.smsHint) return [];
  return 'buttons' in reply.offer
    ? reply.offer.buttons.map((b) => b.id)
    : reply.offer.list.rows.map((r) => r.id);
}
