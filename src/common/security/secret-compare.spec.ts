import { secretsMatch } from './secret-compare';

describe('secretsMatch', () => {
  it('accepts the same secret', () => {
    expect(secretsMatch('s3cret-value-0000', 's3cret-value-0000')).toBe(true);
    expect(secretsMatch('ünïcode-🔑', 'ünïcode-🔑')).toBe(true);
  });

  it('refuses a different secret of the same length', () => {
    expect(secretsMatch('s3cret-value-0001', 's3cret-value-0000')).toBe(false);
  });

  it('refuses shorter and longer secrets without throwing', () => {
    expect(secretsMatch('short', 's3cret-value-0000')).toBe(false);
    expect(secretsMatch('s3cret-value-0000-and-more', 's3cret-value-0000')).toBe(false);
    expect(secretsMatch('', 's3cret-value-0000')).toBe(false);
  });

  it('matches nothing when the credential is absent or the expected secret is unset', () => {
    expect(secretsMatch(undefined, 's3cret-value-0000')).toBe(false);
    expect(secretsMatch('', '')).toBe(false);
    expect(secretsMatch('anything', '')).toBe(false);
  });

  it('is case-sensitive', () => {
    expect(secretsMatch('Secret', 'secret')).toBe(false);
  });
});
