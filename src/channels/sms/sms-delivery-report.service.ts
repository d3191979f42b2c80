import { Injectable, Logger } from '@nestjs/common';
import { RuntimeSignals } from '../../runtime/runtime-signals';
import type { InboundDelivery } from '../../runtime/inbound-queue';
import { MessageRepository } from '../message.repository';
import { deliveryReportEffect, isDeliveryStatus } from './africastalking-status';
import type { StoredSmsEvent } from './sms-event-ledger';

export type ReportResult = 'applied' | 'duplicate' | 'stale' | 'pending';

/** A report for a message no row carries yet: the queue tries it again. */
export class UnmatchedReportError extends Error {
  constructor() {
    super('No SMS message row carries this provider message id yet');
    this.name = 'UnmatchedReportError';
  }
}

/**
 * Applies Africa's Talking delivery reports to `messages` rows (channel 'sms',
 * provider_message_id = AT's messageId).
 *
 * A final status (delivered, failed) is never changed afterwards. That rule lives in the
 * UPDATE's WHERE clause, not in a read-then-write, so two reports racing for one row cannot
 * both win: PostgreSQL re-checks the WHERE on the row the other transaction committed.
 *
 * A report can arrive before the sender has stored the messages row (AT may report within
 * milliseconds): it is then 'pending', and the inbound queue runs it again after its backoff.
 */
@Injectable()
export class SmsDeliveryReportService {
  private readonly logger = new Logger(SmsDeliveryReportService.name);

  constructor(
    private readonly signals: RuntimeSignals,
    private readonly messages: MessageRepository,
  ) {}

  /** One recorded report, claimed and applied in one transaction. */
  async applyStored(
    report: Extract<StoredSmsEvent, { kind: 'report' }>,
    delivery: InboundDelivery,
  ): Promise<ReportResult> {
    const status = report.status;
    // The parser only lets known statuses in; a stored row from elsewhere is nothing to apply.
    if (!isDeliveryStatus(status)) return 'stale';
    const result = await this.signals
      .transaction(async (tx): Promise<ReportResult> => {
        if (!(await delivery.claim(tx))) return 'duplicate';
        const { messageStatus } = deliveryReportEffect(status);
        const applied = await this.messages.applySmsReport(tx, {
          providerMessageId: report.id,
          status: messageStatus,
          errorCode: report.failureReason ?? status,
          errorTitle: `Africa's Talking: ${status}`,
        });
        if (applied) return 'applied';
        if (await this.messages.existsWithProviderId(tx, 'sms', report.id)) return 'stale';
        throw new UnmatchedReportError();
      })
      .catch((err: unknown) => {
        if (err instanceof UnmatchedReportError) return 'pending' as const;
        throw err;
      });
    this.logger.log({
      msg: 'sms delivery report',
      providerMessageId: report.id,
      status,
      result,
    });
    return result;
  }
}
