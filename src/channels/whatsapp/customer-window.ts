export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * WhatsApp's customer service window: free-form messages are allowed for 24 hours after the
 * person last wrote to us; outside it only approved templates go through (error 131047).
 */
export function isWindowOpen(lastInboundAt: Date | null, now: Date): boolean {
  if (!lastInboundAt) return false;
  const age = now.getTime() - lastInboundAt.getTime();
  // A timestamp slightly in the future (clock skew) still means the person just wrote.
  return age < CUSTOMER_SERVICE_WINDOW_MS;
}
