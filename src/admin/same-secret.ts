import { createHash, timingSafeEqual } from 'node:crypto';

/** Hashing first gives both sides the same length, so timing leaks neither content nor length. */
export function sameSecret(given: string, expected: string): boolean {
  if (expected === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
