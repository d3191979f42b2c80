import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type AtDeliveryStatus,
  deliveryReportEffect,
  isDeliveryStatus,
} from './africastalking-status';
import { queryRows } from '../../database/sql';
import { INBOUND_GIVE_UP_MS } from '../../runtime/inbound-retries';
import type { DeliveryReportCallback } from './sms-callback.parser';
import { AT_PROVIDER, rowsOf, SmsEventLedger } from './sms-event-ledger';

export type ReportResult = 'applied' | 'duplicate' | 'stale' | 'pending';

/**
 * Applies Africa's Talking delivery reports to `messages` rows (channel 'sms',
 * provider_message_id = AT's messageId).
 *
 * A final status (delivered, failed) is never changed afterwards. That rule lives in the
 * UPDATE's WHERE clause, not in a read-then-write, so two reports racing for one row cannot
 * both win: PostgreSQL re-checks the WHERE on the row the other transaction committed.
 *
 * A report can arrive before the sender has stored the messages row (AT may report within
 * milliseconds). Such a report stays in inbound_events with processed_at null; whoever stores
 * the row calls applyPending(messageId) to replay it.
 */
@Injectable()
export class SmsDeliveryReportService {
  private readonly logger = new Logger(SmsDeliveryReportService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: SmsEventLedger,
  ) {}

  async record(report: DeliveryReportCallback): Promise<ReportResult> {
    const result = await this.dataSource.transaction(async (em) => {
      const eventId = await this.ledger.insertOnce(
        `status:${report.id}:${report.status}`,
        // No phone number: the messages row already says who it was for.
        {
          id: report.id,
          status: report.status,
          ...(report.failureReason ? { failureReason: report.failureReason } : {}),
          ...(report.networkCode ? { networkCode: report.networkCode } : {}),
          ...(report.retryCount !== undefined ? { retryCount: report.retryCount } : {}),
        },
        { manager: em },
      );
      if (!eventId) return 'duplicate' as const;
      const outcome = await this.apply(em, report.id, report.status, report.failureReason);
      if (outcome !== 'pending') await this.ledger.markProcessed(eventId, em);
      return outcome;
    });
    this.logger.log({
      msg: 'sms delivery report',
      providerMessageId: report.id,
      status: report.status,
      result,
    });
    return result;
  }

  /**
   * Replays reports that arrived before their messages row existed. Call it (in the same
   * transaction, if any) right after storing a row with this provider message id. Non-final
   * reports go first so that a final one always ends up on the row.
   */
  async applyPending(providerMessageId: string, manager?: EntityManager): Promise<number> {
    const run = async (em: EntityManager): Promise<number> => {
      const events: { id: string; payload: { status?: string; failureReason?: string } }[] =
        await em.query(
          `SELECT id, payload FROM inbound_events
           WHERE provider = $1 AND processed_at IS NULL AND external_id LIKE 'status:%'
             AND payload->>'id' = $2
           ORDER BY received_at, id
           FOR UPDATE SKIP LOCKED`,
          [AT_PROVIDER, providerMessageId],
        );
      const reports = events
        .map((e) => ({
          eventId: e.id,
          status: e.payload.status ?? '',
          reason: e.payload.failureReason,
        }))
        .filter(
          (e): e is { eventId: string; status: AtDeliveryStatus; reason: string | undefined } =>
            isDeliveryStatus(e.status),
        )
        .sort(
          (a, b) =>
            Number(deliveryReportEffect(a.status).final) -
            Number(deliveryReportEffect(b.status).final),
        );
      let applied = 0;
      for (const r of reports) {
        const outcome = await this.apply(em, providerMessageId, r.status, r.reason);
        if (outcome === 'pending') return applied;
        if (outcome === 'applied') applied += 1;
        await this.ledger.markProcessed(r.eventId, em);
      }
      return applied;
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /**
   * The sweeper's share of delivery reports. A report and its messages row can commit in a race,
   * each missing the other: reports whose row exists by now are applied. Reports still without a
   * row after INBOUND_GIVE_UP_MS (a send whose row was never stored, or a message that is not
   * ours) are marked dead, so they show up instead of waiting for ever.
   */
  async sweepStranded(limit = 50): Promise<{ applied: number; dead: number }> {
    const stranded = await queryRows<{ message_id: string }>(
      this.dataSource,
      `SELECT DISTINCT e.payload->>'id' AS message_id FROM inbound_events e
        WHERE e.provider = $1 AND e.external_id LIKE 'status:%'
          AND e.processed_at IS NULL AND e.dead_at IS NULL
          AND e.received_at < now() - interval '5 seconds'
          AND EXISTS (SELECT 1 FROM messages m
                       WHERE m.channel = 'sms' AND m.provider_message_id = e.payload->>'id')
        LIMIT $2`,
      [AT_PROVIDER, limit],
    );
    let applied = 0;
    for (const { message_id } of stranded) applied += await this.applyPending(message_id);
    const dead = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE inbound_events
          SET dead_at = now(), last_error = 'no messages row for this delivery report'
        WHERE provider = $1 AND external_id LIKE 'status:%'
          AND processed_at IS NULL AND dead_at IS NULL
          AND coalesce(next_attempt_at, received_at)
              < now() - make_interval(secs => $2::float8 / 1000)
        RETURNING id`,
      [AT_PROVIDER, INBOUND_GIVE_UP_MS],
    );
    if (dead.length > 0) {
      this.logger.warn({ msg: 'sms delivery reports dead: no messages row', count: dead.length });
    }
    return { applied, dead: dead.length };
  }

  private async apply(
    em: EntityManager,
    providerMessageId: string,
    status: AtDeliveryStatus,
    failureReason: string | undefined,
  ): Promise<Exclude<ReportResult, 'duplicate'>> {
    const { messageStatus } = deliveryReportEffect(status);
    const updated = rowsOf<{ id: string }>(
      await em.query(
        `UPDATE messages SET
         status = $2::text,
         sent_at = CASE WHEN $2::text IN ('sent', 'delivered') THEN COALESCE(sent_at, now()) ELSE sent_at END,
         delivered_at = CASE WHEN $2::text = 'delivered' THEN now() ELSE delivered_at END,
         failed_at = CASE WHEN $2::text = 'failed' THEN now() ELSE failed_at END,
         error_code = CASE WHEN $2::text = 'failed' THEN $3::text ELSE error_code END,
         error_title = CASE WHEN $2::text = 'failed' THEN $4::text ELSE error_title END,
         updated_at = now()
       WHERE channel = 'sms' AND provider_message_id = $1
         AND status NOT IN ('delivered', 'failed', 'read', 'received')
       RETURNING id`,
        [providerMessageId, messageStatus, failureReason ?? status, `Africa's Talking: ${status}`],
      ),
    );
    if (updated.length > 0) return 'applied';
    const exists: unknown[] = await em.query(
      `SELECT 1 FROM messages WHERE channel = 'sms' AND provider_message_id = $1`,
      [providerMessageId],
    );
    return exists.length > 0 ? 'stale' : 'pending';
  }
}
