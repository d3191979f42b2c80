/** A Retry-After longer than this is not believed (a misconfigured gateway must not stop us for hours). */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * Slowing down after Daraja throttled us: for a while after a throttled answer, calls are answered
 * locally instead of adding to the rate limit. The pause doubles with each throttled answer in a
 * row and ends at the first answer that was not throttled. Unlike a circuit breaker it never
 * reports an outage: the caller gets a retryable "throttled" and tries again on its own schedule.
 */
export class ThrottleGate {
  private strikes = 0;
  private until = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds left before calls may go out again (0: open). */
  get waitMs(): number {
    return Math.max(0, this.until - this.now());
  }

  throttled(retryAfterMs?: number): void {
    this.strikes += 1;
    const backoff = Math.min(this.maxMs, this.baseMs * 2 ** (this.strikes - 1));
    const asked = Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
    this.until = this.now() + Math.max(backoff, asked);
  }

  /** An answer that was not throttled: the rate is fine again. */
  passed(): void {
    this.strikes = 0;
    this.until = 0;
  }
}
