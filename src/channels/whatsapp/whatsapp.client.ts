import { Injectable, Logger } from '@nestjs/common';
import type { Channel, OutboundMessage, SendOutcome } from '../../common/messaging/channel.port';
import { observeSend } from '../../stats/provider-metrics';
import { AppConfig } from '../../config/app-config';
import { toWhatsAppId } from '../../common/phone';
import { hashPhone } from '../../common/logging/redact';
import { classifyNetworkError, classifyWhatsAppError, parseRetryAfter } from './whatsapp-errors';
import { renderWhatsAppMessage, type WhatsAppSendPayload } from './whatsapp-message.renderer';

const SEND_TIMEOUT_MS = 10_000;

interface MetaErrorBody {
  error?: { code?: unknown; message?: unknown };
}
interface MetaSuccessBody {
  messages?: { id?: unknown }[];
}

/**
 * Sends one message through the WhatsApp Cloud API, either directly at Meta or through
 * 360dialog (same body, different path and auth header), and classifies the answer.
 * It does not retry: the delivery policy decides what a retryable outcome leads to.
 */
@Injectable()
export class WhatsAppChannel implements Channel {
  readonly name = 'whatsapp' as const;
  private readonly logger = new Logger(WhatsAppChannel.name);

  constructor(private readonly config: AppConfig) {}

  async send(message: OutboundMessage): Promise<SendOutcome> {
    const rendered = renderWhatsAppMessage(toWhatsAppId(message.to), message.content);
    if (!rendered.ok)
      return { status: 'permanent', code: 'invalid_content', reason: rendered.problem };
    const startedAt = performance.now();
    const outcome = await this.post(rendered.payload);
    observeSend('whatsapp', startedAt, outcome);
    const log = {
      recipient: hashPhone(message.to),
      kind: message.content.type,
      outcome: outcome.status,
      ...(outcome.status === 'accepted'
        ? { providerMessageId: outcome.providerMessageId }
        : { code: outcome.code }),
    };
    if (outcome.status === 'permanent' && outcome.alert)
      this.logger.error({ msg: 'WhatsApp send refused; ops attention needed', ...log });
    else this.logger.log({ msg: 'WhatsApp send', ...log });
    return outcome;
  }

  private async post(payload: WhatsAppSendPayload): Promise<SendOutcome> {
    const { url, headers } = this.endpoint();
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      return classifyNetworkError(err);
    }
    const body = parseJson(text);
    if (res.ok) {
      const id = (body as MetaSuccessBody | undefined)?.messages?.[0]?.id;
      if (typeof id === 'string' && id.length > 0)
        return { status: 'accepted', providerMessageId: id };
      // Accepted without an id: sending again might deliver twice, so do not retry.
      return {
        status: 'permanent',
        code: 'unexpected_response',
        reason: `HTTP ${res.status} without messages[0].id`,
        alert: true,
      };
    }
    const error = (body as MetaErrorBody | undefined)?.error;
    const code = typeof error?.code === 'number' ? error.code : undefined;
    return classifyWhatsAppError({
      httpStatus: res.status,
      code,
      message: typeof error?.message === 'string' ? error.message : undefined,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    });
  }

  private endpoint(): { url: string; headers: Record<string, string> } {
    const { provider, token, phoneId } = this.config.whatsapp;
    const base = this.config.providerBaseUrl('whatsapp');
    switch (provider) {
      case '360dialog':
        return { url: `${base}/messages`, headers: { 'D360-API-KEY': token } };
      case 'meta':
        return {
          url: `${base}/${encodeURIComponent(phoneId)}/messages`,
          headers: { Authorization: `Bearer ${token}` },
        };
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
