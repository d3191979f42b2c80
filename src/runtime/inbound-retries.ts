/**
 * Inbound events handed to a consumer run on the outbox (runtime/inbound-queue.ts): every run is
 * an attempt, a failed one is tried again after the outbox's backoff, and when the attempts run
 * out the event is dead, visibly (admin API, metric), never silently closed. STK callbacks
 * (provider 'mpesa') belong to the payments code and the internal ledgers ('bot', 'machine', …)
 * are written processed: none of them is ever retried or killed.
 */

/** The providers whose inbound events are retried and may end dead. */
export const RETRIED_INBOUND_PROVIDERS = ['africastalking', 'whatsapp'] as const;

/**
 * A short, operator-facing description of a handler failure: the error's type and code. The
 * message is left out on purpose: handlers may quote the customer's text in it.
 */
export function inboundErrorType(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number'
    ? `${error.name} (${String(code)})`
    : error.name;
}
