/**
 * SMS length arithmetic (3GPP TS 23.038). A message that fits the GSM 03.38 alphabet costs
 * 7 bits a character: 160 in one segment, 153 per segment once split (the rest carries the
 * concatenation header). One character outside it (an emoji, a curly quote) turns the whole
 * message into UCS-2: 70 in one segment, 67 per segment. Each segment is billed, so callers
 * use this to keep customer texts short and plain. The one GSM-7 alphabet of the app: the
 * catalogue's checks, the SMS renderers and the SMS client all count with it.
 */

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Reached through the escape code, so each costs two septets. */
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export const GSM7_SINGLE_SEGMENT = 160;
export const GSM7_MULTI_SEGMENT = 153;
export const UCS2_SINGLE_SEGMENT = 70;
export const UCS2_MULTI_SEGMENT = 67;

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENSION.has(ch)) return false;
  return true;
}

/** Septets the text needs, or null when it cannot be sent as GSM-7 at all. */
export function gsm7Length(text: string): number | null {
  let length = 0;
  for (const ch of text) {
    if (BASIC.has(ch)) length += 1;
    else if (EXTENSION.has(ch)) length += 2;
    else return null;
  }
  return length;
}

/** Characters that would force the message out of GSM-7, for error messages in tests. */
export function nonGsm7Characters(text: string): string[] {
  return [...new Set([...text].filter((ch) => !BASIC.has(ch) && !EXTENSION.has(ch)))];
}

export function encodingOf(text: string): SmsEncoding {
  return isGsm7(text) ? 'GSM-7' : 'UCS-2';
}

/** Code units of each character on the wire: septets for GSM-7, UTF-16 units for UCS-2. */
function units(text: string, encoding: SmsEncoding): number[] {
  const out: number[] = [];
  for (const ch of text) {
    if (encoding === 'GSM-7') out.push(EXTENSION.has(ch) ? 2 : 1);
    else out.push(ch.length); // a character beyond the BMP is a surrogate pair: 2 units
  }
  return out;
}

/**
 * Segments the message is billed as; 0 for an empty text. A character is never split across
 * two segments (an escaped GSM-7 character or a UTF-16 surrogate pair moves whole to the next
 * segment), which is why a long message can need one segment more than length / 153.
 */
export function segmentCount(text: string): number {
  if (text.length === 0) return 0;
  const encoding = encodingOf(text);
  const sizes = units(text, encoding);
  const total = sizes.reduce((a, b) => a + b, 0);
  const single = encoding === 'GSM-7' ? GSM7_SINGLE_SEGMENT : UCS2_SINGLE_SEGMENT;
  if (total <= single) return 1;
  const perSegment = encoding === 'GSM-7' ? GSM7_MULTI_SEGMENT : UCS2_MULTI_SEGMENT;
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > perSegment) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return segments;
}

/** Summary for logs and metrics: never the text itself. */
export function smsShape(text: string): {
  encoding: SmsEncoding;
  segments: number;
  length: number;
} {
  return { encoding: encodingOf(text), segments: segmentCount(text), length: [...text].length };
}
