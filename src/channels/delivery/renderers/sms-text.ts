import { gsm7Length } from '../../../common/text/gsm7';

export const SMS_SEGMENT = 160;

const LOOKALIKES: [RegExp, string][] = [
  [/[\u2018\u2019\u201A\u2032]/g, "'"],
  [/[\u201C\u201D\u201E\u2033]/g, '"'],
  [/[\u2013\u2014\u2212]/g, '-'],
  [/\u2026/g, '...'],
  [/[\u00A0\u2007\u202F]/g, ' '],
];

/**
 * Keeps a text in the GSM-7 alphabet: typographic look-alikes become their ASCII forms and
 * anything else (emoji) is dropped, because one such character turns the SMS into UCS-2 and
 * can triple its cost.
 */
export function toGsm7(text: string): string {
  let out = text;
  for (const [pattern, replacement] of LOOKALIKES) out = out.replace(pattern, replacement);
  return [...out].filter((ch) => gsm7Length(ch) !== null).join('');
}

/**
 * Builds the text with the longest merchant name that keeps it in one segment; when even a
 * short name does not fit (a very long pay link), the full name is kept and the SMS takes two.
 */
export function fitOneSegment(build: (merchant: string) => string, merchant: string): string {
  const name = toGsm7(merchant).trim() || merchant;
  const full = toGsm7(build(name));
  if ((gsm7Length(full) ?? Infinity) <= SMS_SEGMENT) return full;
  for (let n = name.length - 1; n >= 8; n--) {
    const shortened = toGsm7(build(`${name.slice(0, n).trimEnd()}.`));
    if ((gsm7Length(shortened) ?? Infinity) <= SMS_SEGMENT) return shortened;
  }
  return full;
}
