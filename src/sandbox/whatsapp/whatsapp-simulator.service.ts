import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { bearerToken } from '../../common/http/bearer';
import { secretsMatch } from '../../common/security/secret-compare';
import { type MetaError, type MetaErrorBody, metaErrorBody, metaErrors } from './meta-error';
import { validateSendRequest } from './whatsapp-request.validator';
import {
  type OutboundStatus,
  type TranscriptEntry,
  WhatsAppSimulatorState,
  ticksOf,
} from './whatsapp-simulator.state';
import {
  SIMULATED_BUSINESS_NUMBER,
  type WebhookAnswer,
  WhatsAppWebhookSender,
} from './whatsapp-webhook.sender';

export interface SendSuccessBody {
  messaging_product: 'whatsapp';
  contacts: { input: string; wa_id: string }[];
  messages: { id: string; message_status?: 'accepted' }[];
}

export type SimulatedAnswer =
  { httpStatus: 200; body: SendSuccessBody } | { httpStatus: number; body: MetaErrorBody };

/** How the send request authenticated itself, per provider. */
export type SendAuth =
  | { provider: '360dialog'; apiKey: string | undefined }
  | { provider: 'meta'; authorization: string | undefined; phoneId: string };

/** What a simulated user does: one of these per injected inbound message. */
export type InboundAction =
  | { kind: 'text'; text: string }
  | { kind: 'button_reply'; id: string; title?: string }
  | { kind: 'list_reply'; id: string; title?: string }
  | { kind: 'template_button'; payload: string; text?: string }
  | { kind: 'unsupported'; type: 'image' | 'sticker' | 'location' | 'reaction' };

const ERROR_TITLES: Record<number, string> = {
  131047: 'Re-engagement message',
  131026: 'Message undeliverable',
  131000: 'Something went wrong',
};

/** The simulated Cloud API: the send endpoint's behaviour, inbound injection and status webhooks. */
@Injectable()
export class WhatsAppSimulatorService {
  constructor(
    private readonly config: AppConfig,
    private readonly state: WhatsAppSimulatorState,
    private readonly webhooks: WhatsAppWebhookSender,
  ) {}

  send(auth: SendAuth, body: unknown): SimulatedAnswer {
    const authError = this.authenticate(auth);
    if (authError) return refuse(authError);
    if (!this.state.takeThroughput()) return refuse(metaErrors.throughput(this.state.perSecond));
    const result = validateSendRequest(body);
    if (!result.ok) return refuse(result.error);
    const req = result.request;
    const user = this.state.user(req.to);
    if (user.settings.notOnWhatsApp) return refuse(metaErrors.undeliverable());
    const windowClosed = !req.isTemplate && !this.state.windowOpen(req.to);
    if (windowClosed && !user.settings.asyncWindowFailure) return refuse(metaErrors.reEngagement());

    const id = newWamid(req.to);
    this.state.append(req.to, {
      id,
      direction: 'outbound',
      at: new Date().toISOString(),
      kind: req.kind,
      preview: req.preview,
      content: req.content,
      status: 'accepted',
      ticks: ticksOf('accepted'),
      statusHistory: [{ status: 'accepted', at: new Date().toISOString() }],
    });
    void this.progress(id, req.to, windowClosed ? 131047 : undefined);
    return {
      httpStatus: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: req.input, wa_id: req.to }],
        messages: [{ id, ...(req.isTemplate ? { message_status: 'accepted' as const } : {}) }],
      },
    };
  }

  /** The person writes: opens their window, and the app gets a signed webhook. */
  async injectInbound(
    waId: string,
    action: InboundAction,
    options: { profileName?: string; contextMessageId?: string } = {},
  ): Promise<{ messageId: string; webhookStatus: WebhookAnswer }> {
    const id = newWamid(waId);
    const at = new Date();
    const replyingTo = options.contextMessageId
      ? this.state.find(options.contextMessageId)?.entry
      : this.state.lastOutbound(waId);
    const context = options.contextMessageId ?? replyingTo?.id;
    const { message, preview } = inboundMessage(action, replyingTo);
    const wire: Record<string, unknown> = {
      from: waId,
      id,
      timestamp: String(Math.floor(at.getTime() / 1000)),
      ...message,
    };
    if (context && action.kind !== 'text' && action.kind !== 'unsupported')
      wire.context = { from: SIMULATED_BUSINESS_NUMBER, id: context };
    const entry: TranscriptEntry = {
      id,
      direction: 'inbound',
      at: at.toISOString(),
      kind: String(message.type),
      preview,
      content: wire,
    };
    this.state.append(waId, entry);
    const body = this.webhooks.envelope({
      contacts: [{ profile: { name: options.profileName ?? 'Sandbox User' }, wa_id: waId }],
      messages: [wire],
    });
    return { messageId: id, webhookStatus: await this.webhooks.post(body) };
  }

  /** Pushes one status now, whatever the automatic progression does (e.g. out of order). */
  async pushStatus(
    id: string,
    status: Exclude<OutboundStatus, 'accepted'>,
    errorCode?: number,
  ): Promise<WebhookAnswer | undefined> {
    const found = this.state.find(id);
    if (!found || found.entry.direction !== 'outbound') return undefined;
    return this.postStatus(id, found.waId, status, errorCode);
  }

  /** The person opens the chat: every delivered, unread message turns read. */
  async readAll(waId: string): Promise<number> {
    const unread = this.state
      .transcript(waId)
      .filter(
        (e) => e.direction === 'outbound' && (e.status === 'sent' || e.status === 'delivered'),
      );
    for (const e of unread) await this.postStatus(e.id, waId, 'read');
    return unread.length;
  }

  private async progress(id: string, waId: string, failWith: number | undefined): Promise<void> {
    const step = (): Promise<void> => this.webhooks.sleep(this.state.stepMs);
    await step();
    if (failWith !== undefined) {
      await this.postStatus(id, waId, 'failed', failWith);
      return;
    }
    await this.postStatus(id, waId, 'sent');
    if (!this.state.user(waId).settings.autoDeliver) return;
    await step();
    await this.postStatus(id, waId, 'delivered');
    if (!this.state.user(waId).settings.autoRead) return;
    await step();
    await this.postStatus(id, waId, 'read');
  }

  private async postStatus(
    id: string,
    waId: string,
    status: Exclude<OutboundStatus, 'accepted'>,
    errorCode?: number,
  ): Promise<WebhookAnswer> {
    const error =
      status === 'failed' && errorCode !== undefined
        ? { code: errorCode, title: ERROR_TITLES[errorCode] ?? 'Message failed' }
        : undefined;
    this.state.setStatus(id, status, error);
    const update: Record<string, unknown> = {
      id,
      status,
      timestamp: String(Math.floor(Date.now() / 1000)),
      recipient_id: waId,
    };
    if (status === 'sent')
      update.pricing = { billable: true, pricing_model: 'PMP', category: 'utility' };
    if (error)
      update.errors = [{ ...error, message: error.title, error_data: { details: error.title } }];
    return this.webhooks.post(this.webhooks.envelope({ statuses: [update] }));
  }

  private authenticate(auth: SendAuth): MetaError | undefined {
    const token = this.config.whatsapp.token;
    switch (auth.provider) {
      case '360dialog':
        return secretsMatch(auth.apiKey, token) ? undefined : metaErrors.auth();
      case 'meta': {
        if (!secretsMatch(bearerToken(auth.authorization), token)) return metaErrors.auth();
        if (auth.phoneId !== this.config.whatsapp.phoneId)
          return metaErrors.unknownPhoneId(auth.phoneId);
        return undefined;
      }
    }
  }
}

function refuse(error: MetaError): SimulatedAnswer {
  return { httpStatus: error.httpStatus, body: metaErrorBody(error) };
}

/** Real wamids are base64 of a protobuf that embeds the number; the shape is what matters. */
function newWamid(waId: string): string {
  const inner = Buffer.concat([
    Buffer.from(`\x18\x0c${waId}\x15\x02\x00\x11\x18\x12`),
    randomBytes(10),
  ]);
  return `wamid.HBgM${inner.toString('base64').replace(/=+$/, '')}`;
}

function inboundMessage(
  action: InboundAction,
  replyingTo: TranscriptEntry | undefined,
): { message: Record<string, unknown>; preview: string } {
  switch (action.kind) {
    case 'text':
      return { message: { type: 'text', text: { body: action.text } }, preview: action.text };
    case 'button_reply': {
      const title = action.title ?? titleIn(replyingTo, action.id) ?? action.id;
      return {
        message: {
          type: 'interactive',
          interactive: { type: 'button_reply', button_reply: { id: action.id, title } },
        },
        preview: `[${title}]`,
      };
    }
    case 'list_reply': {
      const title = action.title ?? titleIn(replyingTo, action.id) ?? action.id;
      return {
        message: {
          type: 'interactive',
          interactive: { type: 'list_reply', list_reply: { id: action.id, title } },
        },
        preview: `[${title}]`,
      };
    }
    case 'template_button': {
      const text = action.text ?? 'Pay with M-PESA';
      return {
        message: { type: 'button', button: { payload: action.payload, text } },
        preview: `[${text}]`,
      };
    }
    case 'unsupported':
      return {
        message: unsupportedMessage(action.type, replyingTo?.id),
        preview: `(${action.type})`,
      };
  }
}

function unsupportedMessage(
  type: 'image' | 'sticker' | 'location' | 'reaction',
  reactedTo: string | undefined,
): Record<string, unknown> {
  const media = { id: randomBytes(8).toString('hex'), sha256: randomBytes(32).toString('base64') };
  switch (type) {
    case 'image':
      return { type, image: { ...media, mime_type: 'image/jpeg' } };
    case 'sticker':
      return { type, sticker: { ...media, mime_type: 'image/webp', animated: false } };
    case 'location':
      return { type, location: { latitude: -1.2864, longitude: 36.8172, name: 'Nairobi' } };
    case 'reaction':
      return { type, reaction: { message_id: reactedTo ?? 'wamid.unknown', emoji: '👍' } };
  }
}

/** The title of a button or list row with this id in the message being answered. */
function titleIn(entry: TranscriptEntry | undefined, id: string): string | undefined {
  const content = entry?.content;
  if (!isObject(content) || !isObject(content.action)) return undefined;
  const { buttons, sections } = content.action;
  if (Array.isArray(buttons))
    for (const b of buttons)
      if (
        isObject(b) &&
        isObject(b.reply) &&
        b.reply.id === id &&
        typeof b.reply.title === 'string'
      )
        return b.reply.title;
  if (Array.isArray(sections))
    for (const section of sections)
      if (isObject(section) && Array.isArray(section.rows))
        for (const r of section.rows)
          if (isObject(r) && r.id === id && typeof r.title === 'string') return r.title;
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
