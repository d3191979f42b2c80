/**
 * When a pending STK push is asked about. Daraja's sandbox allows about 5 queries a minute, and
 * a prompt ends by itself (1037) after 1–3 minutes, so polling stops after ~3 minutes and leaves
 * any straggler to reconciliation.
 */
export const FIRST_QUERY_AFTER_MS = 20_000;
/** Gaps between the following queries; the last one repeats. */
export const QUERY_BACKOFF_MS = [5_000, 10_000, 15_000, 25_000, 30_000] as const;
/** After this long without a final answer, polling stops. */
export const POLLING_WINDOW_MS = 180_000;
/**
 * A push whose answer we never got (ambiguous) has no CheckoutRequestID to query: after this
 * long with no callback we call it a timeout so the customer can try again.
 */
export const AMBIGUOUS_TIMEOUT_MS = 180_000;
/** Payments open longer than this are drift for reconciliation. */
export const RECONCILE_AFTER_MS = 10 * 60_000;
/** Unmatched callbacks older than this are drift (a push we never stored, or not ours). */
export const UNMATCHED_CALLBACK_AFTER_MS = 5 * 60_000;

export const STK_PUSH_KIND = 'mpesa.stk_push';
export const STK_QUERY_KIND = 'mpesa.stk_query';

export function queryDelayMs(n: number): number {
  if (n <= 1) return FIRST_QUERY_AFTER_MS;
  return QUERY_BACKOFF_MS[Math.min(n - 2, QUERY_BACKOFF_MS.length - 1)];
}
