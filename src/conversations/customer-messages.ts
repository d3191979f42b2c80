import { Inject, Injectable, Logger } from '@nestjs/common';
import { hashPhone } from '../common/logging/redact';
import type { CustomerInvoiceView } from '../invoices/invoice.record';
import { InvoicesService } from '../invoices/invoices.service';
import { CustomersService } from '../merchants/customers.service';
import { InboundEventRepository } from '../runtime/inbound-event.repository';
import {
  type InitiatePaymentResult,
  PAYMENT_INITIATOR,
  type PaymentInitiator,
} from '../payments/payment-initiation.port';
import { Clock } from '../runtime/clock';
import { said } from './bot-reply';
import type { BotTurn } from './bot-turn';
import { parseCommand, parseInvoiceRef } from './command-parser';
import { sayReply, sayUnchecked, type StructuredReply } from '../common/messaging/reply';

export const CUSTOMER_HELP_INTERVAL_MS = 60 * 60_000;

/** The invoice a customer's message is about, with what the replies need. */
export type CustomerInvoice = CustomerInvoiceView;

/**
 * Customers (anyone an invoice was sent to): pay, STOP, and a short help that never reaches
 * the merchant. A PAY only starts a payment for the invoice's own number.
 */
@Injectable()
export class CustomerMessages {
  private readonly logger = new Logger(CustomerMessages.name);

  constructor(
    @Inject(PAYMENT_INITIATOR) private readonly payments: PaymentInitiator,
    private readonly invoices: InvoicesService,
    private readonly customers: CustomersService,
    private readonly ledger: InboundEventRepository,
    private readonly clock: Clock,
  ) {}

  /** The invoice this number most recently received (open ones first), or null: not a customer. */
  async latestInvoice(turn: BotTurn): Promise<CustomerInvoice | null> {
    return this.invoices.latestForCustomer(turn.from, turn.manager);
  }

  async handle(turn: BotTurn, latest: CustomerInvoice): Promise<void> {
    turn.locale = latest.locale;
    if (turn.message.type === 'unsupported') {
      if (await this.firstWithinHour(turn, 'bot.unsupported'))
        await turn.reply(said(sayReply('unsupported_message')));
      return;
    }
    const payRef = this.payRef(turn);
    if (payRef !== undefined) {
      await this.pay(turn, payRef ?? (isOpen(latest) ? latest.ref : null));
      return;
    }
    const command = parseCommand(turn.message.text ?? '');
    if (command.type === 'stop') {
      await this.stop(turn, latest);
      return;
    }
    if (!(await this.firstWithinHour(turn, 'bot.customer_help'))) return;
    if (!isOpen(latest)) {
      await turn.reply(said(sayReply('customer_no_open_invoice')));
      return;
    }
    await turn.reply(
      said({
        key: 'customer_help',
        body: sayUnchecked('customer_help', {
          merchant: latest.merchantName,
          ref: latest.ref,
          balance: { amount: latest.balance },
        }),
      }),
    );
  }

  /**
   * The ref of a PAY (button `pay:<ref>` or text `pay <ref>`); null for a bare `pay`;
   * undefined when the message is not a payment request at all.
   */
  payRef(turn: BotTurn): string | null | undefined {
    const button = turn.message.buttonId;
    if (button?.startsWith('pay:')) return parseInvoiceRef(button.slice(4));
    const command = parseCommand(turn.message.text ?? '');
    return command.type === 'pay' ? command.ref : undefined;
  }

  /** Starts an STK push only for the invoice's own customer; anyone else gets a polite no. */
  async pay(turn: BotTurn, ref: string | null): Promise<void> {
    const invoice = ref ? await this.invoices.findForCustomerByRef(ref, turn.manager) : null;
    if (!invoice || invoice.customerPhone !== turn.from) {
      this.logger.log({ from: hashPhone(turn.from) }, 'pay refused: not the invoice customer');
      await turn.reply(
        said(ref ? sayReply('pay_not_found', { ref }) : sayReply('customer_no_open_invoice')),
      );
      return;
    }
    turn.locale = invoice.locale;
    const result = await this.payments.initiate(turn.manager, {
      invoiceRef: invoice.ref,
      phone: turn.from,
      source: `${turn.message.channel}:customer`,
    });
    await turn.reply(said(this.payReply(invoice, result)), { invoiceId: invoice.id });
  }

  private payReply(invoice: CustomerInvoice, result: InitiatePaymentResult): StructuredReply {
    if (result.status === 'started')
      return sayReply('stk_sent', {
        amount: { amount: result.amount },
        merchant: invoice.merchantName,
      });
    switch (result.reason) {
      case 'pending':
        return sayReply('stk_already_pending');
      case 'paid':
        return sayReply('customer_already_paid', { ref: invoice.ref });
      case 'cancelled':
        return sayReply('customer_invoice_cancelled', {
          merchant: invoice.merchantName,
          ref: invoice.ref,
        });
      case 'expired':
        return sayReply('customer_invoice_expired', {
          merchant: invoice.merchantName,
          ref: invoice.ref,
        });
      case 'attempts_exhausted':
        return sayReply('pay_attempts_exhausted', {
          ref: invoice.ref,
          link: this.invoices.payUrl({ payToken: invoice.payToken }),
          merchant: invoice.merchantName,
        });
      case 'amount_invalid':
      case 'not_found':
        return sayReply('pay_not_found', { ref: invoice.ref });
    }
  }

  /** STOP: no more reminders from any merchant that has this number saved. */
  private async stop(turn: BotTurn, latest: CustomerInvoice): Promise<void> {
    await this.customers.optOut(turn.manager, turn.from);
    await turn.reply(said(sayReply('customer_stopped', { merchant: latest.merchantName })));
  }

  /** At most one such reply per number per hour, so a chatty customer gets no reply storm. */
  private async firstWithinHour(turn: BotTurn, ledger: string): Promise<boolean> {
    const now = this.clock.now();
    const who = hashPhone(turn.from);
    const since = new Date(now.getTime() - CUSTOMER_HELP_INTERVAL_MS);
    if (await this.ledger.existsSince(turn.manager, ledger, `${who}:`, since)) return false;
    await this.ledger.insertOnce(turn.manager, {
      provider: ledger,
      externalId: `${who}:${now.getTime()}`,
      receivedAt: now,
      processed: true,
    });
    return true;
  }
}

function isOpen(invoice: CustomerInvoice): boolean {
  return invoice.state !== 'PAID' && invoice.state !== 'CANCELLED';
}
