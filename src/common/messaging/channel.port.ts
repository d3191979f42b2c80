/**
 * The one interface every channel implements. Content is rendered per channel from
 * channel-neutral message kinds (see message-kinds.ts); a channel only knows how to put
 * content on its wire and how to classify what the provider answered.
 */
export type ChannelName = 'whatsapp' | 'sms';

export interface ReplyButton {
  /** ≤ 256 chars; comes back in the button_reply webhook, e.g. "pay:INV-7KQ2MX". */
  id: string;
  /** ≤ 20 chars, unique within the message. */
  title: string;
}

export type MessageContent =
  | { type: 'text'; body: string }
  | { type: 'buttons'; body: string; footer?: string; buttons: ReplyButton[] }
  | {
      type: 'list';
      body: string;
      buttonText: string;
      rows: { id: string; title: string; description?: string }[];
    }
  | { type: 'cta'; body: string; displayText: string; url: string; footer?: string }
  | {
      type: 'template';
      name: string;
      language: string;
      bodyParameters: string[];
      /** Payloads of the template's quick-reply buttons, by index. */
      quickReplyPayloads?: string[];
    }
  | { type: 'document'; link: string; filename: string; caption?: string };

export interface OutboundMessage {
  /** E.164 Kenyan mobile. Each channel formats it for its provider. */
  to: string;
  content: MessageContent;
}

/**
 * accepted: the provider took it (not yet delivered).
 * retryable: try again later (rate limit, provider trouble, network).
 * fallback: this channel cannot reach the person: try the next channel.
 * permanent: a defect or an account problem; retrying will not help. `alert` asks ops to look.
 */
export type SendOutcome =
  | { status: 'accepted'; providerMessageId: string }
  | {
      status: 'retryable';
      code: string;
      reason: string;
      retryAfterMs?: number;
      /** The request went out and no answer came (a timeout): the provider may have taken it. */
      maybeSent?: boolean;
    }
  | { status: 'fallback'; code: string; reason: string }
  | { status: 'permanent'; code: string; reason: string; alert?: boolean };

export interface Channel {
  readonly name: ChannelName;
  send(message: OutboundMessage): Promise<SendOutcome>;
}

export const CHANNELS = Symbol('CHANNELS');
