import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InboundQueue } from '../../runtime/inbound-queue';
import type { DeliveryReportCallback, InboundSmsCallback } from './sms-callback.parser';

export const AT_PROVIDER = 'africastalking';

export type CallbackKind = 'inbound' | 'status';

/**
 * An Africa's Talking callback as the inbound queue keeps it. A message holds the text and
 * the sender: it exists only to be handed to the bot, and the retention job deletes it with
 * the row. A report holds no phone number: the messages row already says who it was for.
 */
export type StoredSmsEvent =
  | {
      kind: 'message';
      id: string;
      from: string;
      to: string;
      text: string;
      receivedAt: string;
      networkCode?: string;
      linkId?: string;
    }
  | {
      kind: 'report';
      id: string;
      status: string;
      failureReason?: string;
      networkCode?: string;
      retryCount?: number;
    };

/**
 * Africa's Talking's callbacks on the inbound queue. Keys: `inbound:<id>`,
 * `status:<id>:<status>`, and `rejected:<kind>:<body hash>` for bodies we could not use (kept so
 * ops can see them; a retried copy of the same body dedupes too).
 */
@Injectable()
export class SmsEventLedger {
  constructor(private readonly queue: InboundQueue) {}

  /** True when the message is new (it is then queued for the bot). */
  async recordMessage(tx: EntityManager, sms: InboundSmsCallback, now: Date): Promise<boolean> {
    const stored: StoredSmsEvent = {
      kind: 'message',
      id: sms.id,
      from: sms.from,
      to: sms.to,
      text: sms.text,
      receivedAt: (sms.date ?? now).toISOString(),
      ...(sms.networkCode ? { networkCode: sms.networkCode } : {}),
      ...(sms.linkId ? { linkId: sms.linkId } : {}),
    };
    const fresh = await this.queue.record(tx, AT_PROVIDER, [
      { externalId: `inbound:${sms.id}`, payload: stored },
    ]);
    return fresh.length > 0;
  }

  /** True when the report is new (it is then queued for its messages row). */
  async recordReport(tx: EntityManager, report: DeliveryReportCallback): Promise<boolean> {
    const stored: StoredSmsEvent = {
      kind: 'report',
      id: report.id,
      status: report.status,
      ...(report.failureReason ? { failureReason: report.failureReason } : {}),
      ...(report.networkCode ? { networkCode: report.networkCode } : {}),
      ...(report.retryCount !== undefined ? { retryCount: report.retryCount } : {}),
    };
    const fresh = await this.queue.record(tx, AT_PROVIDER, [
      { externalId: `status:${report.id}:${report.status}`, payload: stored },
    ]);
    return fresh.length > 0;
  }

  /**
   * Records a callback we refuse to act on. Only field names are kept: the values may be
   * phone numbers or message text, and a body we cannot parse is not worth that risk.
   */
  async recordRejected(
    tx: EntityManager,
    kind: CallbackKind,
    reason: string,
    body: unknown,
    rawBody: Buffer | undefined,
    id?: string,
  ): Promise<void> {
    const fields =
      body && typeof body === 'object' && !Array.isArray(body)
        ? Object.keys(body).slice(0, 50).sort()
        : [];
    const digest = createHash('sha256')
      .update(rawBody ?? Buffer.from(JSON.stringify(body ?? null)))
      .digest('hex')
      .slice(0, 32);
    await this.queue.record(tx, AT_PROVIDER, [
      {
        externalId: `rejected:${kind}:${digest}`,
        payload: { kind, rejected: reason, ...(id ? { id } : {}), fields },
        recordOnly: true,
      },
    ]);
  }
}
