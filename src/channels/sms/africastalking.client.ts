import { Injectable, Logger } from '@nestjs/common';
import { parseKenyanMobile } from '../../common/phone';
import { hashPhone, maskPhone } from '../../common/logging/redact';
import { observeSend } from '../../stats/provider-metrics';
import { AppConfig } from '../../config/app-config';
import type { Channel, OutboundMessage, SendOutcome } from '../../common/messaging/channel.port';
import {
  type AtRecipient,
  emptyRecipientsOutcome,
  httpFailureOutcome,
  recipientOutcome,
} from './africastalking-status';
import { smsShape } from '../../common/text/gsm7';
import { renderSms } from './sms-render';

/** Long enough for a slow gateway, short enough that a stuck call frees the outbox worker. */
export const SMS_SEND_TIMEOUT_MS = 15_000;

/** Typed loosely on purpose: every field is checked before use. */
interface AtSendResponse {
  SMSMessageData?: { Message?: unknown; Recipients?: unknown };
}

/**
 * Africa's Talking bulk SMS, one message to one person per call. It makes exactly one attempt
 * and classifies the answer; retries and backoff belong to the outbox that calls it.
 */
@Injectable()
export class SmsChannel implements Channel {
  readonly name = 'sms' as const;
  private readonly logger = new Logger(SmsChannel.name);

  constructor(private readonly config: AppConfig) {}

  async send(message: OutboundMessage): Promise<SendOutcome> {
    const phone = parseKenyanMobile(message.to);
    if (!phone.ok) {
      return { status: 'permanent', code: 'InvalidPhoneNumber', reason: `to: ${phone.problem}` };
    }
    const text = renderSms(message.content);
    if (text === '') {
      return { status: 'permanent', code: 'EmptyMessage', reason: 'Nothing to send', alert: true };
    }
    const startedAt = performance.now();
    const outcome = await this.post(phone.phone, text);
    observeSend('sms', startedAt, outcome);
    this.logger.log({
      msg: 'sms send',
      to: maskPhone(phone.phone),
      toHash: hashPhone(phone.phone),
      kind: message.content.type,
      ...smsShape(text),
      outcome: outcome.status,
      ...(outcome.status === 'accepted'
        ? { providerMessageId: outcome.providerMessageId }
        : { code: outcome.code }),
    });
    return outcome;
  }

  private async post(to: string, text: string): Promise<SendOutcome> {
    const { username, apiKey, senderId } = this.config.sms;
    const form = new URLSearchParams({ username, to, message: text });
    if (senderId) form.set('from', senderId);
    // Let AT queue bursts (invoice runs) instead of refusing them.
    form.set('enqueue', '1');

    let response: Response;
    let bodyText: string;
    try {
      response = await fetch(this.config.providerBaseUrl('sms'), {
        method: 'POST',
        headers: {
          apiKey,
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(SMS_SEND_TIMEOUT_MS),
      });
      bodyText = await response.text();
    } catch (err) {
      const timeout = err instanceof Error && err.name === 'TimeoutError';
      // A timeout may have reached AT: the send handler does not send it twice (maybeSent).
      return {
        status: 'retryable',
        code: timeout ? 'Timeout' : 'NetworkError',
        reason: err instanceof Error ? `${err.name}: ${err.message}` : 'fetch failed',
        ...(timeout ? { maybeSent: true } : {}),
      };
    }

    const parsed = response.ok ? parseJson(bodyText) : undefined;
    const data = parsed?.SMSMessageData;
    if (!data) {
      if (response.ok) {
        return {
          status: 'permanent',
          code: 'UnexpectedResponse',
          reason: `HTTP ${response.status} without SMSMessageData`,
          alert: true,
        };
      }
      return httpFailureOutcome(response.status, bodyText, response.headers.get('retry-after'));
    }
    // The documented answer is 201; some accounts get 200. Either carries the same body.
    const first: unknown = Array.isArray(data.Recipients) ? data.Recipients[0] : undefined;
    return first && typeof first === 'object' && 'statusCode' in first
      ? recipientOutcome(first as AtRecipient)
      : emptyRecipientsOutcome(typeof data.Message === 'string' ? data.Message : undefined);
  }
}

function parseJson(text: string): AtSendResponse | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}
