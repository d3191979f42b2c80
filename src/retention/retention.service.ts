import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { queryRows } from '../database/sql';
import { Clock } from '../runtime/clock';

const DAY_MS = 86_400_000;
const BATCH = 1_000;

export interface RetentionReport {
  dryRun: boolean;
  ranAt: string;
  cutoffs: { messages: string; inboundEvents: string; conversations: string; invoicePii: string };
  /** Rows deleted (or that would be, in a dry run). */
  messagesDeleted: number;
  /** Finished deliveries, which hold the rendered message text. */
  deliveriesDeleted: number;
  inboundEventsDeleted: number;
  conversationsDeleted: number;
  /** Invoices whose customer phone number was (or would be) masked. */
  invoicesMasked: number;
}

interface Rule {
  /** Counts what the rule would touch. */
  count: string;
  /** Touches at most $2 rows older than $1 and returns how many. */
  apply: string;
}

/**
 * Applies docs/DATA_RETENTION_POLICY.md. Every rule is a bounded batch repeated until nothing is
 * left, so it never holds long locks, and running it twice changes nothing the second time.
 * Payments (and the invoices they belong to) are kept: tax law wants them for 7 years.
 */
const RULES = {
  messages: {
    count: `SELECT count(*) AS n FROM messages WHERE created_at < $1`,
    apply: `DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE created_at < $1 LIMIT $2)`,
  },
  // A finished delivery keeps the rendered text it sent: it goes with the message metadata.
  deliveries: {
    count: `SELECT count(*) AS n FROM deliveries WHERE state IN ('DELIVERED', 'SMS_SENT', 'FAILED') AND updated_at < $1`,
    apply: `DELETE FROM deliveries WHERE id IN (
              SELECT id FROM deliveries WHERE state IN ('DELIVERED', 'SMS_SENT', 'FAILED') AND updated_at < $1 LIMIT $2)`,
  },
  inboundEvents: {
    count: `SELECT count(*) AS n FROM inbound_events WHERE received_at < $1`,
    apply: `DELETE FROM inbound_events WHERE id IN (SELECT id FROM inbound_events WHERE received_at < $1 LIMIT $2)`,
  },
  // A conversation back in IDLE has nothing in flight; its next message starts a new one.
  conversations: {
    count: `SELECT count(*) AS n FROM conversations WHERE state = 'IDLE' AND updated_at < $1`,
    apply: `DELETE FROM conversations WHERE id IN (
              SELECT id FROM conversations WHERE state = 'IDLE' AND updated_at < $1 LIMIT $2)`,
  },
  invoicePii: {
    count: `SELECT count(*) AS n FROM invoices
             WHERE closed_at < $1 AND state IN ('PAID', 'CANCELLED', 'EXPIRED') AND customer_phone NOT LIKE '%*%'`,
    apply: `UPDATE invoices
               SET customer_phone = substr(customer_phone, 1, 5) || '****' || right(customer_phone, 3)
             WHERE id IN (SELECT id FROM invoices
                           WHERE closed_at < $1 AND state IN ('PAID', 'CANCELLED', 'EXPIRED') AND customer_phone NOT LIKE '%*%'
                           LIMIT $2)`,
  },
} satisfies Record<string, Rule>;

@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async run(options: { dryRun: boolean }): Promise<RetentionReport> {
    const now = this.clock.now();
    const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const r = this.config.retention;
    const cutoffs = {
      messages: before(r.messagesDays),
      inboundEvents: before(r.inboundEventsDays),
      conversations: before(r.conversationsDays),
      invoicePii: before(r.invoicePiiDays),
    };
    const step = (rule: Rule, cutoff: Date) =>
      options.dryRun ? this.count(rule, cutoff) : this.applyInBatches(rule, cutoff);
    const report: RetentionReport = {
      dryRun: options.dryRun,
      ranAt: now.toISOString(),
      cutoffs: {
        messages: cutoffs.messages.toISOString(),
        inboundEvents: cutoffs.inboundEvents.toISOString(),
        conversations: cutoffs.conversations.toISOString(),
        invoicePii: cutoffs.invoicePii.toISOString(),
      },
      messagesDeleted: await step(RULES.messages, cutoffs.messages),
      deliveriesDeleted: await step(RULES.deliveries, cutoffs.messages),
      inboundEventsDeleted: await step(RULES.inboundEvents, cutoffs.inboundEvents),
      conversationsDeleted: await step(RULES.conversations, cutoffs.conversations),
      invoicesMasked: await step(RULES.invoicePii, cutoffs.invoicePii),
    };
    this.logger.log({ msg: options.dryRun ? 'retention dry run' : 'retention applied', ...report });
    return report;
  }

  private async count(rule: Rule, cutoff: Date): Promise<number> {
    const [row] = await queryRows<{ n: string }>(this.dataSource, rule.count, [cutoff]);
    return Number(row?.n ?? 0);
  }

  private async applyInBatches(rule: Rule, cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      // UPDATE and DELETE answer [rows, affected count] through TypeORM's postgres driver.
      const result = await this.dataSource.query<[unknown[], number]>(rule.apply, [cutoff, BATCH]);
      const affected = Number(result[1] ?? 0);
      total += affected;
      if (affected < BATCH) return total;
    }
  }
}
