/** Tuning of the Daraja client. Production uses the defaults; tests shorten them. */
export interface DarajaClientOptions {
  /** Per HTTP request (OAuth, push, query). An STK push that times out is ambiguous. */
  timeoutMs: number;
  /** Extra attempts after the first, only where a retry cannot send a second prompt. */
  retries: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  /** Consecutive failures (network, 5xx) that open the circuit. */
  breakerThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  breakerHalfOpenAfterMs: number;
}

export const DEFAULT_DARAJA_CLIENT_OPTIONS: DarajaClientOptions = {
  timeoutMs: 15_000,
  retries: 2,
  retryInitialDelayMs: 250,
  retryMaxDelayMs: 2_000,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 30_000,
};

export const DARAJA_CLIENT_OPTIONS = Symbol('DARAJA_CLIENT_OPTIONS');
