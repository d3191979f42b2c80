import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { parseKenyanMobile } from '../../common/phone';
import { secretsMatch } from '../../common/security/secret-compare';
import { AppConfig } from '../../config/app-config';
import {
  AfricasTalkingCallbackSender,
  type CallbackAnswer,
} from './africastalking-callback.sender';
import {
  AfricasTalkingSimulatorState,
  networkCodeOf,
  type SimulatedSms,
} from './africastalking-simulator.state';
import {
  AT_AUTH_FAILURE_TEXT,
  AT_RECIPIENT_STATUSES,
  type AtRecipientEntry,
  type AtReportStatus,
  refusedRecipientName,
} from './at-wire';
import { simulatedSegmentCount } from './sms-segments';

/** KES per segment, AT's Kenyan bulk rate at the time of writing. */
const COST_PER_SEGMENT = 0.8;
const DEFAULT_SHORTCODE = '40404';
const DEFAULT_SENDER = 'AFRICASTKNG';

export type SimulatorAnswer =
  | { status: number; contentType: 'application/json'; body: unknown }
  | { status: number; contentType: 'text/plain'; body: string };

const DEFAULT_FAILURE_REASON: Partial<Record<AtReportStatus, string>> = {
  Failed: 'DeliveryFailure',
  AbsentSubscriber: 'AbsentSubscriber',
  Rejected: 'UserInBlackList',
  Expired: 'DeliveryFailure',
};

/**
 * Africa's Talking's messaging API as PROTOCOLS.md §3 describes it: the send call with its
 * validation and per-recipient answers, then delivery reports and inbound SMS posted to the
 * app's callback URLs.
 */
@Injectable()
export class AfricasTalkingSimulatorService {
  constructor(
    private readonly config: AppConfig,
    private readonly state: AfricasTalkingSimulatorState,
    private readonly callbacks: AfricasTalkingCallbackSender,
  ) {}

  send(apiKeyHeader: string | undefined, body: unknown): SimulatorAnswer {
    const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const text = (name: string): string | undefined =>
      typeof fields[name] === 'string' ? fields[name] : undefined;
    const username = text('username');
    if (
      !apiKeyHeader ||
      !username ||
      !secretsMatch(apiKeyHeader, this.config.sms.apiKey) ||
      !secretsMatch(username, this.config.sms.username)
    ) {
      return { status: 401, contentType: 'text/plain', body: AT_AUTH_FAILURE_TEXT };
    }
    for (const name of ['to', 'message']) {
      if (!text(name)?.trim()) {
        return {
          status: 400,
          contentType: 'text/plain',
          body: `Request is missing required form field '${name}'`,
        };
      }
    }
    const message = text('message') ?? '';
    const from = text('from')?.trim();
    const senderOk = !from || /^[A-Za-z0-9 ]{1,11}$/.test(from);
    const segments = simulatedSegmentCount(message);
    const recipients = (text('to') ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '')
      .map((number) => this.recipient(number, message, from, segments, senderOk));
    const sent = recipients.filter((r) => AT_RECIPIENT_STATUSES[r.statusCode]?.accepted);
    const total = sent.length * COST_PER_SEGMENT * segments;
    return {
      status: 201,
      contentType: 'application/json',
      body: {
        SMSMessageData: {
          Message: `Sent to ${sent.length}/${recipients.length} Total Cost: KES ${total.toFixed(4)}`,
          Recipients: recipients,
        },
      },
    };
  }

  private recipient(
    number: string,
    message: string,
    from: string | undefined,
    segments: number,
    senderOk: boolean,
  ): AtRecipientEntry {
    // AT wants the international form; a number it cannot read is refused per recipient.
    const parsed = /^\+254\d{9}$/.test(number) ? parseKenyanMobile(number) : undefined;
    if (!parsed?.ok) return failed(number, 403);
    if (!senderOk) return failed(number, 402);
    if (this.state.insufficientBalance) return failed(number, 405);
    const forced = this.state.takeForcedStatus(parsed.phone);
    if (forced !== undefined && !AT_RECIPIENT_STATUSES[forced]?.accepted) {
      return failed(number, forced);
    }

    const messageId = `ATXid_${randomBytes(16).toString('hex')}`;
    const cost = `KES ${(COST_PER_SEGMENT * segments).toFixed(4)}`;
    const now = new Date().toISOString();
    const sms: SimulatedSms = {
      messageId,
      to: parsed.phone,
      from: from ?? DEFAULT_SENDER,
      message,
      segments,
      cost,
      status: 'Queued',
      sentAt: now,
      updatedAt: now,
    };
    this.state.deliver(sms);
    this.scheduleReport(sms);
    const statusCode = forced ?? 101;
    return {
      statusCode,
      number,
      // PROTOCOLS.md's example answer pairs 101 with "Success", not with the code's name.
      status:
        statusCode === 101 ? 'Success' : (AT_RECIPIENT_STATUSES[statusCode]?.name ?? 'Success'),
      cost,
      messageId,
    };
  }

  private scheduleReport(sms: SimulatedSms): void {
    const b = this.state.behaviour(sms.to);
    const status = b.deliveryStatus ?? 'Success';
    if (status === 'None') return;
    const delay = b.deliveryDelayMs ?? this.state.deliveryDelayMs;
    this.callbacks.later(delay, () => this.report(sms.messageId, status, b.failureReason));
  }

  /** Posts a delivery report for an SMS the simulator accepted; undefined if it knows no such id. */
  async report(
    messageId: string,
    status: AtReportStatus,
    failureReason?: string,
  ): Promise<CallbackAnswer | undefined> {
    const reason = failureReason ?? DEFAULT_FAILURE_REASON[status];
    const sms = this.state.updateStatus(messageId, status, reason);
    if (!sms) return undefined;
    return this.callbacks.post(
      `${this.config.selfUrl}/sms/status/${this.config.sms.webhookSecret}`,
      {
        id: messageId,
        status,
        phoneNumber: sms.to,
        networkCode: networkCodeOf(sms.to),
        retryCount: '0',
        ...(reason ? { failureReason: reason } : {}),
      },
    );
  }

  /** A person texts our shortcode: AT posts it to the inbound callback. */
  async injectInbound(
    from: string,
    text: string,
    to = DEFAULT_SHORTCODE,
  ): Promise<{ id: string; linkId: string; callbackStatus: CallbackAnswer }> {
    const id = randomUUID();
    const linkId = randomUUID();
    this.state.events.emit('inbound', { from, id });
    const callbackStatus = await this.callbacks.post(
      `${this.config.selfUrl}/sms/inbound/${this.config.sms.webhookSecret}`,
      {
        date: new Date().toISOString(),
        from,
        id,
        linkId,
        text,
        to,
        networkCode: networkCodeOf(from),
      },
    );
    return { id, linkId, callbackStatus };
  }
}

function failed(number: string, statusCode: number): AtRecipientEntry {
  return {
    statusCode,
    number,
    status: refusedRecipientName(statusCode),
    cost: '0',
    messageId: 'None',
  };
}
