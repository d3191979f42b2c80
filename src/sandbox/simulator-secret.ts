import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time check of a key a client presented to a simulator. Both sides are hashed first,
 * so neither the expected key's content nor its length shows in the timing. An unset key
 * matches nothing.
 */
export function simulatorSecretMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
