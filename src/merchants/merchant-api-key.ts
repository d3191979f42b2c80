import { createHash, randomBytes } from 'node:crypto';

/** `iq_live_` + 43 base64url characters: 32 random bytes, 256 bits. */
export const API_KEY_PREFIX = 'iq_live_';
export const API_KEY_PATTERN = /^iq_live_[A-Za-z0-9_-]{43}$/;
const RANDOM_BYTES = 32;
/** Shown to ops to tell keys apart: the fixed prefix plus 8 random characters (48 of 256 bits). */
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export interface GeneratedApiKey {
  /** Handed to the merchant once; never stored. */
  key: string;
  /** sha256 hex of the key: what merchants.api_key_hash holds. */
  hash: string;
  /** e.g. `iq_live_Ab3dE9xQ`: what merchants.api_key_prefix holds. */
  prefix: string;
}

export function generateApiKey(): GeneratedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(RANDOM_BYTES).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key) };
}

/**
 * A fast hash is enough: the key carries 256 bits of randomness, so there is nothing to
 * brute-force, and lookup by hash means no secret is ever compared byte by byte.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}

export function looksLikeApiKey(candidate: string): boolean {
  return API_KEY_PATTERN.test(candidate);
}
