import { Injectable } from '@nestjs/common';
import type { Locale } from '../config/app-config';
import type { InvoiceRecord } from '../invoices/invoice.record';
import { InvoicesService } from '../invoices/invoices.service';
import { INVOICE_MACHINE_KIND, type InvoiceState } from '../machines/invoice.machine';
import type { MerchantRecord } from '../merchants/merchant.record';
import { Clock } from '../runtime/clock';
import { MachineRunner } from '../runtime/machine-runner';
import { TransitionRepository } from '../runtime/transition.repository';
import { MessageLog } from '../channels/delivery/message-log';
import { type Say, say, sayReply } from '../common/messaging/reply';
import { said } from './bot-reply';
import type { BotTurn } from './bot-turn';
import type { CustomerRef } from './command-parser.types';
import { CustomersService } from '../merchants/customers.service';
import { MerchantsService } from '../merchants/merchants.service';
import { invoiceCreatedReply } from './flow-replies';
import { invoiceCustomer, stateLabel } from './invoice-summary';

export const REMIND_INTERVAL_MS = 60 * 60_000;
const LIST_LIMIT = 10;

export interface OneLineInvoice {
  phone: string;
  name: string | null;
  amount: number;
  description: string;
}

/** The merchant commands that need no conversation state: each is one request, one reply. */
@Injectable()
export class MerchantCommands {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
    private readonly customerBook: CustomersService,
    private readonly merchants: MerchantsService,
    private readonly transitions: TransitionRepository,
    private readonly messages: MessageLog,
  ) {}

  /** Creates and sends at once, inside the turn: the reply and the invoice commit together. */
  async createInvoice(
    turn: BotTurn,
    merchant: MerchantRecord,
    line: OneLineInvoice,
    idempotencyKey: string,
  ): Promise<void> {
    const invoice = await this.create(turn, merchant, line, idempotencyKey);
    await this.replyCreated(turn, invoice);
  }

  async replyCreated(turn: BotTurn, invoice: InvoiceRecord): Promise<void> {
    await turn.reply(
      invoiceCreatedReply({
        ref: invoice.ref,
        customer: invoiceCustomer(invoice),
        amount: invoice.amount,
        description: invoice.description,
      }),
      { invoiceId: invoice.id },
    );
  }

  /** The invoice only: the guided flow's machine writes its own summary. */
  create(
    turn: BotTurn,
    merchant: MerchantRecord,
    line: OneLineInvoice,
    idempotencyKey: string,
  ): Promise<InvoiceRecord> {
    return this.invoices.create(
      turn.manager,
      merchant.id,
      {
        customerPhone: line.phone,
        ...(line.name ? { customerName: line.name } : {}),
        amount: line.amount,
        description: line.description,
      },
      { idempotencyKey, source: `bot:${turn.message.channel}` },
    );
  }

  async remind(turn: BotTurn, merchant: MerchantRecord, ref: string): Promise<void> {
    const invoice = await this.own(turn, merchant, ref);
    if (!invoice || (await this.refused(turn, invoice))) return;
    const lastAt = await this.transitions.lastAcceptedAt(
      turn.manager,
      INVOICE_MACHINE_KIND,
      invoice.id,
      'REMIND',
    );
    if (lastAt && this.clock.now().getTime() - lastAt.getTime() < REMIND_INTERVAL_MS) {
      const next = new Date(lastAt.getTime() + REMIND_INTERVAL_MS);
      await turn.reply(
        said(
          sayReply('remind_rate_limited', { ref: invoice.ref, time: { time: next.toISOString() } }),
        ),
      );
      return;
    }
    const result = await this.runner.send(
      INVOICE_MACHINE_KIND,
      invoice.id,
      { type: 'REMIND', by: 'merchant' },
      {
        source: `bot:${turn.message.channel}`,
        dedupeKey: turn.nextEventKey(),
        manager: turn.manager,
      },
    );
    if (!result.accepted && result.reason !== 'duplicate') {
      await this.refusedAs(turn, invoice.ref, invoice.state);
      return;
    }
    await turn.reply(
      said(sayReply('reminder_sent', { ref: invoice.ref, customer: invoiceCustomer(invoice) })),
    );
  }

  async cancel(turn: BotTurn, merchant: MerchantRecord, ref: string): Promise<void> {
    const invoice = await this.own(turn, merchant, ref);
    if (!invoice || (await this.refused(turn, invoice))) return;
    const result = await this.runner.send(
      INVOICE_MACHINE_KIND,
      invoice.id,
      { type: 'CANCEL', by: 'merchant' },
      {
        source: `bot:${turn.message.channel}`,
        dedupeKey: turn.nextEventKey(),
        manager: turn.manager,
      },
    );
    if (!result.accepted && result.reason !== 'duplicate') {
      await this.refusedAs(turn, invoice.ref, invoice.state);
      return;
    }
    await turn.reply(said(sayReply('invoice_cancelled', { ref: invoice.ref })));
  }

  async status(turn: BotTurn, merchant: MerchantRecord, ref: string): Promise<void> {
    const invoice = await this.own(turn, merchant, ref);
    if (!invoice) return;
    await turn.reply(
      said(
        sayReply('status_reply', {
          ref: invoice.ref,
          customer: invoiceCustomer(invoice),
          state: stateLabel(invoice.state),
          amount: { amount: invoice.amount },
          paid: { amount: invoice.amountPaid },
          balance: { amount: invoice.balance },
          delivery: { text: await this.deliveryLine(turn, invoice.id) },
        }),
      ),
    );
  }

  async list(turn: BotTurn, merchant: MerchantRecord): Promise<void> {
    const rows = await this.invoices.listOpen(merchant.id, LIST_LIMIT, turn.manager);
    if (rows.length === 0) {
      await turn.reply(said(sayReply('list_empty')));
      return;
    }
    const lines = rows.map((r) =>
      say('list_line', {
        ref: r.ref,
        customer: invoiceCustomer(r),
        balance: { amount: r.balance },
        date: { date: r.createdAt.toISOString() },
      }),
    );
    await turn.reply(
      said(
        sayReply('list_reply', {
          count: rows.length,
          lines: { text: { join: lines, with: '\n' } },
        }),
      ),
    );
  }

  async customers(turn: BotTurn, merchant: MerchantRecord): Promise<void> {
    const rows = await this.customerBook.list(turn.manager, merchant.id);
    if (rows.length === 0) {
      await turn.reply(said(sayReply('customers_empty')));
      return;
    }
    const lines = rows.map((c) =>
      c.name
        ? say('customers_line', { name: c.name, phone: { phone: c.phone } })
        : say('customers_line_unnamed', { phone: { phone: c.phone } }),
    );
    await turn.reply(
      said(
        sayReply('customers_reply', {
          count: rows.length,
          lines: { text: { join: lines, with: '\n' } },
        }),
      ),
    );
  }

  /** Stores the new language; the caller tells the conversation machine. */
  async setLanguage(turn: BotTurn, merchant: MerchantRecord, locale: Locale): Promise<void> {
    await this.merchants.setLocale(turn.manager, merchant.id, locale);
    turn.locale = locale;
    await turn.reply(said(sayReply('language_switched')));
  }

  async help(turn: BotTurn): Promise<void> {
    await turn.reply(said(sayReply('help')));
  }

  /** A number or a saved name, resolved for this merchant only. */
  async resolve(
    turn: BotTurn,
    merchantId: string,
    customer: CustomerRef,
  ): Promise<
    | { kind: 'one'; phone: string; name: string | null; saved: boolean }
    | { kind: 'unknown'; name: string }
    | { kind: 'many'; name: string; choices: { phone: string; name: string | null }[] }
  > {
    if (customer.kind === 'phone') {
      const saved = await this.customerBook.findByPhone(turn.manager, merchantId, customer.phone);
      return {
        kind: 'one',
        phone: customer.phone,
        name: saved?.name ?? null,
        saved: saved !== null,
      };
    }
    const matches = await this.customerBook.findByName(turn.manager, merchantId, customer.name);
    if (matches.length === 0) return { kind: 'unknown', name: customer.name };
    if (matches.length === 1)
      return { kind: 'one', phone: matches[0].phone, name: matches[0].name, saved: true };
    return { kind: 'many', name: customer.name, choices: matches };
  }

  private async own(
    turn: BotTurn,
    merchant: MerchantRecord,
    ref: string,
  ): Promise<InvoiceRecord | null> {
    // Scoped by merchant in the query itself, and read in this turn's transaction.
    const invoice = await this.invoices.findByRef(merchant.id, ref, turn.manager);
    if (!invoice) {
      // Another merchant's ref reads exactly like one that does not exist.
      await turn.reply(said(sayReply('not_found', { ref })));
    }
    return invoice;
  }

  /** Paid, cancelled and mid-payment invoices are explained rather than changed. */
  private async refused(turn: BotTurn, invoice: InvoiceRecord): Promise<boolean> {
    if (
      invoice.state === 'PAID' ||
      invoice.state === 'CANCELLED' ||
      invoice.state === 'PAYMENT_INIT'
    ) {
      await this.refusedAs(turn, invoice.ref, invoice.state);
      return true;
    }
    return false;
  }

  private async refusedAs(turn: BotTurn, ref: string, state: InvoiceState): Promise<void> {
    if (state === 'PAID') await turn.reply(said(sayReply('invoice_already_paid', { ref })));
    else if (state === 'CANCELLED')
      await turn.reply(said(sayReply('invoice_already_cancelled', { ref })));
    else
      await turn.reply(said(sayReply('invoice_action_refused', { ref, state: stateLabel(state) })));
  }

  private async deliveryLine(turn: BotTurn, invoiceId: string): Promise<Say> {
    const last = await this.messages.latestForInvoice(turn.manager, invoiceId);
    if (!last) return say('delivery_status_none');
    const statusKey = DELIVERY_KEYS[last.status] ?? 'delivery_status_queued';
    return say('delivery_status_line', {
      status: { text: say(statusKey) },
      channel: { text: say(last.channel === 'sms' ? 'channel_sms' : 'channel_whatsapp') },
      time: { dateTime: last.updatedAt.toISOString() },
    });
  }
}

const DELIVERY_KEYS: Record<
  string,
  | 'delivery_status_queued'
  | 'delivery_status_sent'
  | 'delivery_status_delivered'
  | 'delivery_status_read'
  | 'delivery_status_failed'
> = {
  queued: 'delivery_status_queued',
  sent: 'delivery_status_sent',
  delivered: 'delivery_status_delivered',
  read: 'delivery_status_read',
  failed: 'delivery_status_failed',
};
