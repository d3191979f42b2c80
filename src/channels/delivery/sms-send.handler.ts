import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../runtime/clock';
import type { MachineEventLike, OutboxHandler, OutboxResult } from '../../runtime/outbox';
import type { OutboxRow } from '../../runtime/outbox.entity';
import { RuntimeSignals } from '../../runtime/runtime-signals';
import type { MessageContent } from '../../common/messaging/channel.port';
import { SmsChannel } from '../sms/africastalking.client';
import { SmsDeliveryReportService } from '../sms/sms-delivery-report.service';
import { clearSendStarted, deliveryIdOf, loadDelivery, startSend } from './delivery-rows';
import { smsTextOf } from './delivery.service';
import {
  acceptedAttempt,
  recordAttempt,
  recordRefusal,
  recordUnconfirmedSend,
  retriesExhausted,
  retryLater,
} from './message-log';

/**
 * 'sms.send': the one SMS of a delivery. The outbox row's fixed key makes it one row per
 * delivery; retryable answers (500/502, timeouts) retry through the outbox backoff, and a
 * refusal about the person (403 InvalidPhoneNumber…) ends the delivery as FAILED.
 */
@Injectable()
export class SmsSendHandler implements OutboxHandler {
  private readonly logger = new Logger(SmsSendHandler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly signals: RuntimeSignals,
    private readonly sms: SmsChannel,
    private readonly reports: SmsDeliveryReportService,
    private readonly clock: Clock,
  ) {}

  async handle(row: OutboxRow): Promise<OutboxResult> {
    const delivery = await loadDelivery(this.dataSource, deliveryIdOf(row));
    if (!delivery) return { status: 'permanent', error: 'delivery not found' };
    // WhatsApp confirmed delivery while this row waited: the SMS is no longer needed.
    if (delivery.state !== 'SMS_PENDING') return { status: 'done' };
    const earlier = await acceptedAttempt(this.dataSource, delivery.id, 'sms');
    if (earlier)
      return {
        status: 'done',
        event: { type: 'SEND_ACCEPTED', channel: 'sms', providerMessageId: earlier },
      };

    const text = smsTextOf(delivery.payload);
    const content: MessageContent = text ? { type: 'text', body: text } : delivery.payload.content;
    const base = { channel: 'sms' as const, kind: 'sms' as const, at: this.clock.now() };
    if (!(await startSend(this.dataSource, delivery.id, 'sms', base.at))) {
      return recordUnconfirmedSend(this.dataSource, delivery, base);
    }
    const outcome = await this.sms.send({ to: delivery.recipient, content });
    switch (outcome.status) {
      case 'accepted':
        await this.signals.transaction(async (manager) => {
          await recordAttempt(manager, delivery, {
            ...base,
            providerMessageId: outcome.providerMessageId,
            status: 'sent',
          });
          // A delivery report may have beaten this row.
          await this.reports.applyPending(outcome.providerMessageId, manager);
        });
        return {
          status: 'done',
          event: {
            type: 'SEND_ACCEPTED',
            channel: 'sms',
            providerMessageId: outcome.providerMessageId,
          },
        };
      case 'retryable':
        if (outcome.maybeSent) return recordUnconfirmedSend(this.dataSource, delivery, base);
        await clearSendStarted(this.dataSource, delivery.id, 'sms');
        return retryLater(outcome);
      case 'fallback':
      case 'permanent':
        await recordRefusal(this.dataSource, delivery, base, outcome);
        this.logger.warn({
          msg: 'SMS refused',
          deliveryId: delivery.id,
          code: outcome.code,
          ...(outcome.status === 'permanent' && outcome.alert ? { alert: true } : {}),
        });
        return {
          status: 'done',
          event: { type: 'SEND_FAILED', channel: 'sms', code: outcome.code },
        };
    }
  }

  onDead(_row: OutboxRow, error: string): MachineEventLike {
    return retriesExhausted('sms', error);
  }
}
