import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of a path secret. Hashing first gives both sides the same length,
 * so neither the content nor the length of the expected secret leaks through timing.
 */
export function secretMatches(given: string, expected: string): boolean {
  if (expected === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
