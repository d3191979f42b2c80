/** Tuning of the Daraja client. Production uses the defaults; tests shorten them. */
export interface DarajaClientOptions {
  /** Per HTTP request (OAuth, push, query). An STK push that times out is ambiguous. */
  timeoutMs: number;
  /** Extra attempts after the first, only where a retry cannot send a second prompt. */
  retries: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  /**
   * Consecutive outages (network errors, 5xx other than business refusals and throttling) that
   * open the circuit of one operation (OAuth token, push or query; each has its own).
   */
  breakerThreshold: number;
  /** How long an open circuit stays open before one trial call is let through. */
  breakerHalfOpenAfterMs: number;
  /**
   * After Daraja throttles a status query (spike arrest, quota, 429), further queries are
   * answered locally ("throttled") for this long, doubling with each throttled answer in a row
   * up to `throttleMaxCooldownMs` (or longer when the gateway's Retry-After asks for it). Pushes
   * are never held back by queries.
   */
  throttleCooldownMs: number;
  throttleMaxCooldownMs: number;
}

export const DEFAULT_DARAJA_CLIENT_OPTIONS: DarajaClientOptions = {
  timeoutMs: 15_000,
  retries: 2,
  retryInitialDelayMs: 250,
  retryMaxDelayMs: 2_000,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 30_000,
  throttleCooldownMs: 1_000,
  throttleMaxCooldownMs: 30_000,
};

export const DARAJA_CLIENT_OPTIONS = Symbol('DARAJA_CLIENT_OPTIONS');
