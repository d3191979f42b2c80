import { isWindowOpen } from './customer-window';

describe('isWindowOpen', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const HOUR = 3_600_000;

  it('is closed when the person never wrote', () => {
    expect(isWindowOpen(null, now)).toBe(false);
  });

  it('is open within 24 hours of the last inbound message', () => {
    expect(isWindowOpen(ago(0), now)).toBe(true);
    expect(isWindowOpen(ago(23 * HOUR), now)).toBe(true);
    expect(isWindowOpen(ago(24 * HOUR - 1), now)).toBe(true);
  });

  it('is closed at and after 24 hours', () => {
    expect(isWindowOpen(ago(24 * HOUR), now)).toBe(false);
    expect(isWindowOpen(ago(3 * 24 * HOUR), now)).toBe(false);
  });

  it('treats a slightly future timestamp (clock skew) as open', () => {
    expect(isWindowOpen(new Date(now.getTime() + 5_000), now)).toBe(true);
  });
});
