import { ThrottleGate } from './daraja-throttle';

describe('ThrottleGate', () => {
  let now = 0;
  const gate = () => new ThrottleGate(1_000, 8_000, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('is open until something is throttled', () => {
    expect(gate().waitMs).toBe(0);
  });

  it('pauses after a throttled answer, doubling per throttled answer in a row, capped', () => {
    const g = gate();
    const pauses: number[] = [];
    for (let i = 0; i < 6; i++) {
      g.throttled();
      pauses.push(g.waitMs);
    }
    expect(pauses).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    now += 8_000;
    expect(g.waitMs).toBe(0);
  });

  it('opens again at the first answer that was not throttled, and starts over', () => {
    const g = gate();
    g.throttled();
    g.throttled();
    g.passed();
    expect(g.waitMs).toBe(0);
    g.throttled();
    expect(g.waitMs).toBe(1_000);
  });

  it('honours a longer Retry-After, within five minutes', () => {
    const g = gate();
    g.throttled(20_000);
    expect(g.waitMs).toBe(20_000);
    g.throttled(3_600_000);
    expect(g.waitMs).toBe(300_000);
    g.passed();
    g.throttled(10);
    expect(g.waitMs).toBe(1_000);
  });
});
