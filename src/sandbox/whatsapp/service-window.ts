/**
 * WhatsApp's customer service window as the simulated Cloud API enforces it (PROTOCOLS.md §2):
 * a message from the person opens 24 hours in which anything may be sent to them; outside it
 * only approved templates are delivered.
 */
export const SERVICE_WINDOW_HOURS = 24;

const SERVICE_WINDOW_MS = SERVICE_WINDOW_HOURS * 3_600_000;

/** True until 24 hours after the person's last message; never open if they have not written. */
export function serviceWindowOpen(lastInboundAt: Date | null, now: Date): boolean {
  if (lastInboundAt === null) return false;
  const closesAt = lastInboundAt.getTime() + SERVICE_WINDOW_MS;
  return now.getTime() < closesAt;
}
