/** What a customer or merchant sent us, reduced to what the bot acts on. */
export type WhatsAppInboundContent =
  | { type: 'text'; text: string }
  | { type: 'button_reply'; id: string; title: string }
  | { type: 'list_reply'; id: string; title: string }
  /** A quick-reply button of a template (e.g. "Pay with M-PESA" under invoice_new). */
  | { type: 'template_button'; payload: string; text: string }
  /** Images, stickers, reactions, locations…: the bot answers these with one polite reply. */
  | { type: 'unsupported'; originalType: string };

export interface WhatsAppMessageEvent {
  kind: 'message';
  /** wamid of the inbound message: the dedupe key. */
  id: string;
  /** E.164, e.g. +254712345678. */
  from: string;
  timestamp: Date;
  profileName?: string;
  message: WhatsAppInboundContent;
  /** The wamid of our message this one replies to (button taps carry it). */
  contextMessageId?: string;
}

export type WhatsAppDeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface WhatsAppStatusEvent {
  kind: 'status';
  /** wamid of our outbound message. */
  id: string;
  status: WhatsAppDeliveryStatus;
  timestamp: Date;
  /** E.164. */
  recipient: string;
  errors?: { code: number; title: string }[];
}

/** Valid JSON we do not understand: recorded and acknowledged, never an error to the provider. */
export interface WhatsAppUnknownEvent {
  kind: 'unknown';
  reason: string;
}

export type WhatsAppWebhookEvent =
  WhatsAppMessageEvent | WhatsAppStatusEvent | WhatsAppUnknownEvent;
