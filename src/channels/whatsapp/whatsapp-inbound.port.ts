import type { WhatsAppWebhookEvent } from './whatsapp-events';

export type {
  WhatsAppDeliveryStatus,
  WhatsAppInboundContent,
  WhatsAppMessageEvent,
  WhatsAppStatusEvent,
  WhatsAppUnknownEvent,
  WhatsAppWebhookEvent,
} from './whatsapp-events';

/**
 * Receives each NEW (deduplicated, authenticated) webhook event, after the webhook has been
 * answered. Bound by default to StatusRecorder; the bot integrator binds a handler that calls
 * StatusRecorder and then forwards messages to the bot (see WhatsAppModule.forRoot).
 *
 * A handler that throws leaves the event unprocessed in inbound_events, to be replayed by
 * WhatsAppWebhookService.replayUnprocessed (with backoff, up to INBOUND_MAX_ATTEMPTS runs, then
 * dead); so handlers must be idempotent.
 */
export const WHATSAPP_EVENT_HANDLER = Symbol('WHATSAPP_EVENT_HANDLER');

export interface WhatsAppEventHandler {
  handle(event: WhatsAppWebhookEvent): Promise<void>;
}
