/**
 * The GSM 03.38 alphabet, enough to tell whether a text fits one 160-character SMS segment.
 * Characters of the extension table cost two septets; anything else forces UCS-2 (70 chars).
 */
const BASIC =
  '@\u00A3$\u00A5\u00E8\u00E9\u00F9\u00EC\u00F2\u00C7\n\u00D8\u00F8\r\u00C5\u00E5' +
  '\u0394_\u03A6\u0393\u039B\u03A9\u03A0\u03A8\u03A3\u0398\u039E\u00C6\u00E6\u00DF\u00C9' +
  ' !"#\u00A4%&\'()*+,-./0123456789:;<=>?' +
  '\u00A1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00C4\u00D6\u00D1\u00DC\u00A7' +
  '\u00BFabcdefghijklmnopqrstuvwxyz\u00E4\u00F6\u00F1\u00FC\u00E0';
const EXTENSION = '\f^{}\\[~]|\u20AC';

const basicSet = new Set(BASIC);
const extensionSet = new Set(EXTENSION);

export const SMS_SEGMENT_GSM7 = 160;

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basicSet.has(ch) && !extensionSet.has(ch)) return false;
  return true;
}

/** Septets the text needs, or null when it cannot be sent as GSM-7 at all. */
export function gsm7Length(text: string): number | null {
  let length = 0;
  for (const ch of text) {
    if (basicSet.has(ch)) length += 1;
    else if (extensionSet.has(ch)) length += 2;
    else return null;
  }
  return length;
}

/** Characters that would force the message out of GSM-7, for error messages in tests. */
export function nonGsm7Characters(text: string): string[] {
  return [...new Set([...text].filter((ch) => !basicSet.has(ch) && !extensionSet.has(ch)))];
}
