/**
 * PostgreSQL cannot hold every JavaScript string: text and jsonb refuse U+0000, and jsonb
 * refuses the escape of an unpaired UTF-16 surrogate (which JSON.stringify writes for one).
 * Provider webhooks must be acknowledged and recorded whatever they carry, so what we keep of
 * them goes through these first. Our own API refuses such input instead (400).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Replaces NUL and unpaired surrogates with U+FFFD, the Unicode replacement character. */
export function storableText(text: string): string {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '\ufffd') : text;
}

/** True when `text` holds a character PostgreSQL text or jsonb would refuse. */
export function hasUnstorableText(text: string): boolean {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text);
}

/**
 * Deeper than any provider payload (Meta's are about 8 levels). A body nested thousands deep
 * parses fine but makes JSON.stringify overflow the stack; what lies below is not kept.
 */
export const MAX_STORED_DEPTH = 32;
export const TOO_DEEP = '(nested too deep to keep)';

/**
 * A copy of a parsed JSON value that jsonb accepts and JSON.stringify can write: strings and
 * keys through storableText, values below MAX_STORED_DEPTH replaced by a marker.
 */
export function storableJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_STORED_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((item) => storableJson(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    copy[storableText(key)] = storableJson(item, depth + 1);
  return copy;
}
