/**
 * Where an inbound SMS goes once it is authenticated, deduplicated and normalised. The bot
 * integrator provides the implementation: register a provider for SMS_INBOUND_HANDLER in any
 * module of the app (SmsModule finds it at bootstrap, so SmsModule need not import the bot
 * module and no import cycle arises).
 *
 * Delivery is at-least-once: a handler that failed (threw) is called again with the same `id`
 * when Africa's Talking retries or when SmsInboundService.processPending runs, so handlers
 * must be idempotent on `id`.
 */
export const SMS_INBOUND_HANDLER = Symbol('SMS_INBOUND_HANDLER');

export interface SmsInboundMessage {
  /** Africa's Talking message id, unique per inbound SMS. */
  id: string;
  /** The sender, E.164 Kenyan mobile (+2547…/+2541…). */
  from: string;
  /** Our shortcode or long number the person wrote to, e.g. 40404. */
  to: string;
  /** The body. Never log it. */
  text: string;
  receivedAt: Date;
  /** Operator network (63902 Safaricom, 63903 Airtel, 63907 Telkom), when AT sent it. */
  networkCode?: string;
  /** Needed to answer premium-rate/on-demand messages; absent for ordinary ones. */
  linkId?: string;
}

export interface SmsInboundHandler {
  handle(msg: SmsInboundMessage): Promise<void>;
}
