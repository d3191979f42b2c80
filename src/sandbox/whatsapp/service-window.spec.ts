import { serviceWindowOpen } from './service-window';

describe('simulated customer service window (PROTOCOLS.md §2)', () => {
  const wrote = new Date('2026-03-01T08:00:00Z');

  it('is closed for a person who never wrote', () => {
    expect(serviceWindowOpen(null, wrote)).toBe(false);
  });

  it('stays open for 24 hours after the last inbound message, then closes', () => {
    expect(serviceWindowOpen(wrote, new Date('2026-03-01T08:00:00Z'))).toBe(true);
    expect(serviceWindowOpen(wrote, new Date('2026-03-02T07:59:59.999Z'))).toBe(true);
    expect(serviceWindowOpen(wrote, new Date('2026-03-02T08:00:00Z'))).toBe(false);
    expect(serviceWindowOpen(wrote, new Date('2026-03-09T08:00:00Z'))).toBe(false);
  });

  it('counts a message stamped slightly in the future as just written', () => {
    expect(serviceWindowOpen(new Date('2026-03-01T08:00:05Z'), wrote)).toBe(true);
  });
});
