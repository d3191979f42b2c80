import {
  apiKeyDisplayPrefix,
  generateApiKey,
  hashApiKey,
  looksLikeApiKey,
} from './merchant-api-key';

describe('merchant API keys', () => {
  it('carries 256 bits in 43 url-safe characters after the prefix', () => {
    const { key, hash, prefix } = generateApiKey();
    expect(key).toMatch(/^iq_live_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice('iq_live_'.length), 'base64url')).toHaveLength(32);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashApiKey(key));
    expect(prefix).toBe(key.slice(0, 16));
    expect(apiKeyDisplayPrefix(key)).toBe(prefix);
    expect(looksLikeApiKey(key)).toBe(true);
  });

  it('never repeats', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey().key));
    expect(keys.size).toBe(1000);
  });

  it('rejects what cannot be a key without looking it up', () => {
    for (const candidate of [
      '',
      'iq_live_',
      'iq_test_' + 'a'.repeat(43),
      'iq_live_' + 'a'.repeat(42),
      'iq_live_' + 'a'.repeat(42) + '!',
    ])
      expect(looksLikeApiKey(candidate)).toBe(false);
  });
});
