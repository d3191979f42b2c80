import { Injectable, Logger } from '@nestjs/common';
import type { OutboxHandler, OutboxResult } from '../../runtime/outbox';
import type { OutboxRow } from '../../runtime/outbox';
import { RuntimeSignals } from '../../runtime/runtime-signals';
import { DeliveryService } from './delivery.service';
import { InvoiceNoticeLoader } from './invoice-notice.loader';
import {
  renderCancelledToCustomer,
  renderCancelledToMerchant,
} from './renderers/cancelled.renderer';
import { renderInvoice } from './renderers/invoice.renderer';
import { renderExpiredToCustomer, renderExpiredToMerchant } from './renderers/expired.renderer';
import { renderMerchantNotice } from './renderers/merchant-notice.renderer';
import type { RenderedMessage } from './renderers/notice-view';
import { renderPaymentFailed } from './renderers/payment-failed.renderer';
import { renderReceipt, renderReceiptDocument } from './renderers/receipt.renderer';

export const INVOICE_NOTICE_KINDS = [
  'invoice.deliver',
  'invoice.receipt',
  'merchant.notify',
  'customer.payment_failed',
  'invoice.cancelled_notice',
  'invoice.expired_notice',
] as const;
export type InvoiceNoticeKind = (typeof INVOICE_NOTICE_KINDS)[number];

type Loaded = NonNullable<Awaited<ReturnType<InvoiceNoticeLoader['view']>>>;

/** `deliver:N` keys of the invoice machine: N > 1 is a reminder. */
const REMINDER_KEY = /:deliver:(\d+)$/;
/** `by` values of a cancel the merchant made in the chat (the bot confirms it there). */
const MERCHANT_CHAT_CANCELS = ['merchant', 'whatsapp', 'bot'];
const OPEN_STATES = ['READY', 'SENT', 'PAYMENT_INIT', 'PARTIALLY_PAID', 'FAILED'];

/**
 * The invoice machine's message effects: load the invoice with its merchant and customer,
 * render, and hand each message to the delivery policy. The outbox row's idempotency key is
 * the delivery key, so a handler run twice creates each delivery once.
 */
@Injectable()
export class InvoiceNoticesHandler {
  private readonly logger = new Logger(InvoiceNoticesHandler.name);

  constructor(
    private readonly loader: InvoiceNoticeLoader,
    private readonly deliveries: DeliveryService,
    private readonly signals: RuntimeSignals,
  ) {}

  handlerFor(kind: InvoiceNoticeKind): OutboxHandler {
    return { handle: (row) => this.handle(kind, row) };
  }

  async handle(kind: InvoiceNoticeKind, row: OutboxRow): Promise<OutboxResult> {
    const view = await this.loader.view(row.payload.invoiceId);
    if (!view) return { status: 'permanent', error: 'invoice not found' };
    const messages = await this.render(kind, row, view);
    if (messages.length === 0) return { status: 'done' };
    await this.signals.transaction(async (manager) => {
      for (const [suffix, message] of messages)
        await this.deliveries.enqueue(
          manager,
          {
            to: message.to,
            channel: message.channel,
            purpose: message.purpose,
            content: message.content,
            smsText: message.smsText,
            invoiceId: view.invoiceId,
          },
          { key: `${row.idempotencyKey}${suffix}`, source: `outbox:${kind}` },
        );
    });
    return { status: 'done' };
  }

  private async render(
    kind: InvoiceNoticeKind,
    row: OutboxRow,
    view: Loaded,
  ): Promise<[string, RenderedMessage][]> {
    const payload = row.payload;
    switch (kind) {
      case 'invoice.deliver': {
        // A reminder queued before a payment or a cancel must not go out after it.
        if (!OPEN_STATES.includes(view.state)) return [];
        const reminder = Number(REMINDER_KEY.exec(row.idempotencyKey)?.[1] ?? 1) > 1;
        // A customer who replied STOP gets no more reminders (the invoice itself still goes).
        if (reminder && view.customerOptedOut) return this.skip(kind, row, 'customer opted out');
        return [['', renderInvoice(view, { reminder })]];
      }
      case 'invoice.receipt': {
        const payment = await this.loader.payment(view.invoiceId, payload.paymentId);
        if (!payment) return this.skip(kind, row, 'payment not found');
        const document = renderReceiptDocument(view);
        return [
          ['', renderReceipt(view, payment, payload.partial === true)],
          ...(document ? [[':pdf', document] as [string, RenderedMessage]] : []),
        ];
      }
      case 'customer.payment_failed': {
        const outcome = typeof payload.outcome === 'string' ? payload.outcome : null;
        return [['', renderPaymentFailed(view, outcome)]];
      }
      case 'merchant.notify': {
        const topic = typeof payload.topic === 'string' ? payload.topic : '';
        const payment = await this.loader.payment(view.invoiceId, payload.paymentId);
        const outcome = typeof payload.outcome === 'string' ? payload.outcome : null;
        const message = renderMerchantNotice(
          view,
          topic,
          payment
            ? { ...payment, outcome: payment.outcome ?? outcome }
            : outcome
              ? { amount: 0, receipt: null, outcome }
              : null,
          typeof payload.channel === 'string' ? payload.channel : undefined,
        );
        return message ? [['', message]] : this.skip(kind, row, `unknown topic ${topic}`);
      }
      case 'invoice.cancelled_notice': {
        const out: [string, RenderedMessage][] = [];
        if (await this.loader.invoiceReachedCustomer(view.invoiceId))
          out.push([':customer', renderCancelledToCustomer(view)]);
        // The bot answers a merchant who cancelled in the chat; anyone else's cancel is news.
        if (!MERCHANT_CHAT_CANCELS.includes(String(payload.by)))
          out.push([':merchant', renderCancelledToMerchant(view)]);
        return out;
      }
      case 'invoice.expired_notice': {
        const out: [string, RenderedMessage][] = [];
        if (await this.loader.invoiceReachedCustomer(view.invoiceId))
          out.push([':customer', renderExpiredToCustomer(view)]);
        out.push([':merchant', renderExpiredToMerchant(view)]);
        return out;
      }
    }
  }

  private skip(kind: string, row: OutboxRow, reason: string): [] {
    this.logger.warn({ msg: 'nothing to send', kind, outboxId: row.id, reason });
    return [];
  }
}
