/**
 * How many SMS segments the simulated Africa's Talking bills a message as (3GPP TS 23.038,
 * GSM 03.38). Written for the simulator from the standard, apart from the app's own counter,
 * so that the two check each other.
 *
 * GSM-7: 160 septets fit one segment; a longer text is split into parts of 153 septets (the
 * rest of each part carries the concatenation header). UCS-2, used as soon as one character is
 * outside GSM-7: 70 UTF-16 code units in one segment, 67 per part. No character is cut in two:
 * an escape pair or a surrogate pair that does not fit a part starts the next one.
 */

/**
 * The GSM 03.38 default alphabet in septet order, 0x00 to 0x7F, eight per line. 0x1B is the
 * escape to the extension table, not a character: it is held by a placeholder and skipped.
 */
const DEFAULT_ALPHABET = [
  '@£$¥èéùì',
  'òÇ\nØø\rÅå',
  'Δ_ΦΓΛΩΠΨ',
  'ΣΘΞ\u001bÆæßÉ',
  ' !"#¤%&\'',
  '()*+,-./',
  '01234567',
  '89:;<=>?',
  '¡ABCDEFG',
  'HIJKLMNO',
  'PQRSTUVW',
  'XYZÄÖÑÜ§',
  '¿abcdefg',
  'hijklmno',
  'pqrstuvw',
  'xyzäöñüà',
].join('');

const ESCAPE = '\u001b';

/** Extension table characters, each sent as ESC + septet: form feed, ^ { } \ [ ~ ] | €. */
const EXTENSION_TABLE: Readonly<Record<number, string>> = {
  0x0a: '\f',
  0x14: '^',
  0x28: '{',
  0x29: '}',
  0x2f: '\\',
  0x3c: '[',
  0x3d: '~',
  0x3e: ']',
  0x40: '|',
  0x65: '€',
};

const ONE_SEPTET = new Set([...DEFAULT_ALPHABET].filter((ch) => ch !== ESCAPE));
const TWO_SEPTETS = new Set(Object.values(EXTENSION_TABLE));

const GSM7 = { single: 160, part: 153 } as const;
const UCS2 = { single: 70, part: 67 } as const;

/** Septets per character, or undefined when one character cannot be sent as GSM-7. */
function septetSizes(text: string): number[] | undefined {
  const sizes: number[] = [];
  for (const ch of text) {
    if (ONE_SEPTET.has(ch)) sizes.push(1);
    else if (TWO_SEPTETS.has(ch)) sizes.push(2);
    else return undefined;
  }
  return sizes;
}

/** UTF-16 code units per character: 2 for a character outside the Basic Multilingual Plane. */
function ucs2Sizes(text: string): number[] {
  return Array.from(text, (ch) => ch.length);
}

function partsNeeded(sizes: number[], limits: { single: number; part: number }): number {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total === 0) return 0;
  if (total <= limits.single) return 1;
  let parts = 1;
  let room = limits.part;
  for (const size of sizes) {
    if (size > room) {
      parts += 1;
      room = limits.part;
    }
    room -= size;
  }
  return parts;
}

export function simulatedSegmentCount(text: string): number {
  const septets = septetSizes(text);
  return septets ? partsNeeded(septets, GSM7) : partsNeeded(ucs2Sizes(text), UCS2);
}
