import type { IncomingMessage, ServerResponse } from 'node:http';
import { answer, listen, readBody, splitTag } from './http';

/**
 * The WhatsApp Cloud API send endpoint (360dialog `POST /messages` with D360-API-KEY, or Meta
 * `POST /{phone-number-id}/messages` with a Bearer token) and Africa's Talking's SMS send
 * endpoint, as docs/PROTOCOLS.md §2 and §3 describe them. Accepts and records every message with
 * its recipient; nothing is ever delivered anywhere.
 */

export interface SentMessage {
  seq: number;
  at: number;
  tag: string;
  channel: 'whatsapp' | 'sms';
  /** Digits only, e.g. 254712345678. */
  to: string;
  type: string;
  template?: string;
  /** Template body parameters, in order. */
  params: string[];
  /** Text body (text, interactive body, caption, or the SMS). */
  text: string;
}

export interface MessagingSimOptions {
  wabaToken: string;
  smsUsername: string;
  smsApiKey: string;
}

export class MessagingSimulator {
  readonly messages: SentMessage[] = [];
  readonly refused: { at: number; channel: string; reason: string }[] = [];
  port = 0;
  private closeServer?: () => Promise<void>;
  private seq = 0;

  constructor(private readonly options: MessagingSimOptions) {}

  async start(): Promise<this> {
    const l = await listen((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    this.port = l.port;
    this.closeServer = l.close;
    return this;
  }

  wabaBaseUrl(tag: string): string {
    return `http://127.0.0.1:${this.port}/${tag}`;
  }

  smsUrl(tag: string): string {
    return `http://127.0.0.1:${this.port}/${tag}/version1/messaging`;
  }

  async close(): Promise<void> {
    await this.closeServer?.();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const { tag, rest } = splitTag(url.pathname);
    const body = await readBody(req);
    if (req.method === 'POST' && rest === '/version1/messaging')
      return this.sms(req, res, tag, body);
    if (req.method === 'POST' && /^(\/\d{5,20})?\/messages$/.test(rest)) {
      return this.whatsapp(req, res, tag, body, rest !== '/messages');
    }
    await answer(res, 404, { error: { message: 'Unknown path', code: 100 } });
  }

  private async whatsapp(
    req: IncomingMessage,
    res: ServerResponse,
    tag: string,
    raw: Buffer,
    meta: boolean,
  ): Promise<void> {
    const authorized = meta
      ? req.headers.authorization === `Bearer ${this.options.wabaToken}`
      : req.headers['d360-api-key'] === this.options.wabaToken;
    const fbError = (status: number, code: number, message: string) =>
      answer(res, status, {
        error: { message, type: 'OAuthException', code, fbtrace_id: `sim${this.seq}` },
      });
    if (!authorized) {
      this.refused.push({ at: Date.now(), channel: 'whatsapp', reason: 'auth' });
      await fbError(401, 190, 'Invalid OAuth access token');
      return;
    }
    let b: Record<string, any>;
    try {
      b = JSON.parse(raw.toString('utf8')) as Record<string, any>;
    } catch {
      this.refused.push({ at: Date.now(), channel: 'whatsapp', reason: 'json' });
      await fbError(400, 100, 'Invalid parameter');
      return;
    }
    const to = typeof b.to === 'string' ? b.to.replace(/\D/g, '') : '';
    const type = typeof b.type === 'string' ? b.type : '';
    if (b.messaging_product !== 'whatsapp' || !/^\d{8,15}$/.test(to) || !type || !b[type]) {
      this.refused.push({ at: Date.now(), channel: 'whatsapp', reason: 'envelope' });
      await fbError(400, 100, 'Invalid parameter');
      return;
    }
    const content = b[type] as Record<string, any>;
    const params: string[] = [];
    let text = '';
    let template: string | undefined;
    if (type === 'text') text = String(content.body ?? '');
    else if (type === 'interactive') text = String(content.body?.text ?? '');
    else if (type === 'document' || type === 'image') text = String(content.caption ?? '');
    else if (type === 'template') {
      template = String(content.name ?? '');
      for (const component of (content.components ?? []) as Record<string, any>[]) {
        if (component.type !== 'body') continue;
        for (const p of (component.parameters ?? []) as Record<string, any>[]) {
          params.push(String(p.text ?? ''));
        }
      }
    }
    const seq = ++this.seq;
    this.messages.push({
      seq,
      at: Date.now(),
      tag,
      channel: 'whatsapp',
      to,
      type,
      template,
      params,
      text,
    });
    await answer(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to }],
      messages: [{ id: `wamid.SIM${String(seq).padStart(10, '0')}` }],
    });
  }

  private async sms(
    req: IncomingMessage,
    res: ServerResponse,
    tag: string,
    raw: Buffer,
  ): Promise<void> {
    if (req.headers.apikey !== this.options.smsApiKey) {
      this.refused.push({ at: Date.now(), channel: 'sms', reason: 'auth' });
      res.writeHead(401, { 'Content-Type': 'text/plain' });
      res.end('The supplied authentication is invalid');
      return;
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    const to = (form.get('to') ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const message = form.get('message') ?? '';
    if (form.get('username') !== this.options.smsUsername || to.length === 0 || !message) {
      this.refused.push({ at: Date.now(), channel: 'sms', reason: 'form' });
      await answer(res, 400, { SMSMessageData: { Message: 'InvalidRequest', Recipients: [] } });
      return;
    }
    const recipients = to.map((number) => {
      const seq = ++this.seq;
      this.messages.push({
        seq,
        at: Date.now(),
        tag,
        channel: 'sms',
        to: number.replace(/\D/g, ''),
        type: 'sms',
        params: [],
        text: message,
      });
      return {
        statusCode: 101,
        number,
        status: 'Success',
        cost: 'KES 0.8000',
        messageId: `ATXid_sim${seq}`,
      };
    });
    await answer(res, 201, {
      SMSMessageData: {
        Message: `Sent to ${recipients.length}/${recipients.length} Total Cost: KES ${(0.8 * recipients.length).toFixed(4)}`,
        Recipients: recipients,
      },
    });
  }
}
