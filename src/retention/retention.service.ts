import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DeliveryService } from '../channels/delivery/delivery.service';
import { MessageLog } from '../channels/delivery/message-log';
import { AppConfig } from '../config/app-config';
import { ConversationsService } from '../conversations/conversations.service';
import { InvoicesService } from '../invoices/invoices.service';
import { Clock } from '../runtime/clock';
import { InboundEventRepository } from '../runtime/inbound-event.repository';

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

/** One rule, carried out by the owner of its table. */
interface Rule {
  /** Counts what the rule would touch. */
  count(tx: EntityManager, cutoff: Date): Promise<number>;
  /** Touches at most `limit` rows older than `cutoff` and returns how many. */
  apply(tx: EntityManager, cutoff: Date, limit: number): Promise<number>;
}

/**
 * Applies docs/DATA_RETENTION_POLICY.md. Every rule is a bounded batch repeated until nothing is
 * left, so it never holds long locks, and running it twice changes nothing the second time.
 * Payments (and the invoices they belong to) are kept: tax law wants them for 7 years.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);
  private readonly rules: Record<
    'messages' | 'deliveries' | 'inboundEvents' | 'conversations' | 'invoicePii',
    Rule
  >;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    messages: MessageLog,
    deliveries: DeliveryService,
    inboundEvents: InboundEventRepository,
    conversations: ConversationsService,
    invoices: InvoicesService,
  ) {
    this.rules = {
      messages: {
        count: (tx, cutoff) => messages.countCreatedBefore(tx, cutoff),
        apply: (tx, cutoff, limit) => messages.deleteCreatedBefore(tx, cutoff, limit),
      },
      // A finished delivery keeps the rendered text it sent: it goes with the message metadata.
      deliveries: {
        count: (tx, cutoff) => deliveries.countFinishedBefore(tx, cutoff),
        apply: (tx, cutoff, limit) => deliveries.deleteFinishedBefore(tx, cutoff, limit),
      },
      inboundEvents: {
        count: (tx, cutoff) => inboundEvents.countReceivedBefore(tx, cutoff),
        apply: (tx, cutoff, limit) => inboundEvents.deleteReceivedBefore(tx, cutoff, limit),
      },
      // A conversation back in IDLE has nothing in flight; its next message starts a new one.
      conversations: {
        count: (tx, cutoff) => conversations.countIdleBefore(tx, cutoff),
        apply: (tx, cutoff, limit) => conversations.deleteIdleBefore(tx, cutoff, limit),
      },
      invoicePii: {
        count: (tx, cutoff) => invoices.countPhonesToMask(tx, cutoff),
        apply: (tx, cutoff, limit) => invoices.maskPhones(tx, cutoff, limit),
      },
    };
  }

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
      options.dryRun
        ? rule.count(this.dataSource.manager, cutoff)
        : this.applyInBatches(rule, cutoff);
    const report: RetentionReport = {
      dryRun: options.dryRun,
      ranAt: now.toISOString(),
      cutoffs: {
        messages: cutoffs.messages.toISOString(),
        inboundEvents: cutoffs.inboundEvents.toISOString(),
        conversations: cutoffs.conversations.toISOString(),
        invoicePii: cutoffs.invoicePii.toISOString(),
      },
      messagesDeleted: await step(this.rules.messages, cutoffs.messages),
      deliveriesDeleted: await step(this.rules.deliveries, cutoffs.messages),
      inboundEventsDeleted: await step(this.rules.inboundEvents, cutoffs.inboundEvents),
      conversationsDeleted: await step(this.rules.conversations, cutoffs.conversations),
      invoicesMasked: await step(this.rules.invoicePii, cutoffs.invoicePii),
    };
    this.logger.log({ msg: options.dryRun ? 'retention dry run' : 'retention applied', ...report });
    return report;
  }

  /** Each batch commits on its own. */
  private async applyInBatches(rule: Rule, cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const affected = await rule.apply(this.dataSource.manager, cutoff, BATCH);
      total += affected;
      if (affected < BATCH) return total;
    }
  }
}
