import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time check of a secret a caller presented (API key, path secret, header secret).
 * Both sides are hashed first, so the timing shows neither the expected secret's content nor its
 * length. An unset expected secret matches nothing, so an empty configuration never lets in an
 * empty credential; an absent credential matches nothing either.
 */
export function secretsMatch(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
