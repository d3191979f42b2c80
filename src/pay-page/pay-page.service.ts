import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { formatKes } from '../common/money';
import { formatNational, parseKenyanMobile } from '../common/phone';
import type { Locale } from '../config/app-config';
import type { InvoiceRecord } from '../invoices/invoice.record';
import { InvoicesService } from '../invoices/invoices.service';
import type { MerchantRecord } from '../merchants/merchant.record';
import { MerchantsService } from '../merchants/merchants.service';
import { customerText } from '../payments/mpesa/daraja-result-codes';
import type { PaymentOutcome } from '../payments/payment-provider.port';
import { PaymentsService } from '../payments/payments.service';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { fill, PAY_PAGE_TEXT } from './pay-page.i18n';
import { type LatestPayment, type PaidReceipt, PayPageQuery } from './pay-page.query';
import type { PayPageView } from './pay-page.render';

export interface PayStatus {
  state: string;
  amount: number;
  amountPaid: number;
  balance: number;
  amountPaidText: string;
  balanceText: string;
  payment: LatestPayment | null;
  /** What the page should say now, in the requested language. */
  message: string;
}

export interface PayContext {
  invoice: InvoiceRecord;
  merchant: MerchantRecord;
}

export type PayAttempt =
  { ok: true; paymentId: string } | { ok: false; status: 400 | 409; code: string; message: string };

const OUTCOMES: readonly PaymentOutcome[] = [
  'paid',
  'cancelled',
  'wrong_pin',
  'insufficient_funds',
  'timeout',
  'limit',
  'busy',
  'other',
  'unknown',
];

/** What the pay page shows and does, by pay token. The token is the only key: refs never open it. */
@Injectable()
export class PayPageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly query: PayPageQuery,
    private readonly invoices: InvoicesService,
    private readonly merchants: MerchantsService,
    private readonly payments: PaymentsService,
    private readonly signals: RuntimeSignals,
  ) {}

  async find(token: string): Promise<PayContext | null> {
    const invoice = await this.invoices.findByPayToken(token);
    if (!invoice) return null;
    const merchant = await this.merchants.findById(invoice.merchantId);
    return merchant ? { invoice, merchant } : null;
  }

  locale(requested: string | undefined, merchant: MerchantRecord): Locale {
    return requested === 'en' || requested === 'sw' ? requested : merchant.locale;
  }

  async view(context: PayContext, locale: Locale): Promise<PayPageView> {
    const { invoice, merchant } = context;
    const latest = await this.latestPayment(invoice.id);
    const receipts = await this.succeededCount(invoice.id);
    return {
      token: invoice.payToken,
      locale,
      merchantName: merchant.displayName,
      ref: invoice.ref,
      description: invoice.description,
      amount: invoice.amount,
      amountPaid: invoice.amountPaid,
      balance: invoice.balance,
      dueDate: invoice.dueDate,
      state: invoice.state,
      customerPhone: invoice.customerPhone.includes('*')
        ? ''
        : formatNational(invoice.customerPhone),
      allowPartial: merchant.allowPartialPayments,
      pendingPaymentId:
        latest && (latest.status === 'initiating' || latest.status === 'pending')
          ? latest.id
          : null,
      hasReceipt: receipts > 0,
    };
  }

  async status(context: PayContext, locale: Locale): Promise<PayStatus> {
    const { merchant } = context;
    const t = PAY_PAGE_TEXT[locale];
    const payment = await this.latestPayment(context.invoice.id);
    // Read after the payment: a result is written to the payment before the invoice moves, so
    // this order never shows a final payment beside a stale invoice state.
    const invoice = (await this.invoices.findById(context.invoice.id)) ?? context.invoice;
    let message = t.waiting;
    if (invoice.state === 'CANCELLED')
      message = fill(t.isCancelled, { merchant: merchant.displayName });
    else if (payment?.status === 'succeeded') {
      message =
        invoice.balance === 0
          ? fill(t.paidInFull, { receipt: payment.mpesaReceipt ?? '-' })
          : fill(t.paidPart, {
              amount: formatKes(payment.amount),
              receipt: payment.mpesaReceipt ?? '-',
              balance: formatKes(invoice.balance),
            });
    } else if (payment?.status === 'failed') {
      const outcome = OUTCOMES.find((o) => o === payment.outcome) ?? 'other';
      message = customerText(outcome, locale);
    } else if (payment?.status === 'review') {
      message = customerText('other', locale);
    } else if (invoice.state === 'PAID') message = t.isPaid;
    return {
      state: invoice.state,
      amount: invoice.amount,
      amountPaid: invoice.amountPaid,
      balance: invoice.balance,
      amountPaidText: formatKes(invoice.amountPaid),
      balanceText: formatKes(invoice.balance),
      payment,
      message,
    };
  }

  /** Starts an STK push for the page's invoice, to the number the customer typed. */
  async pay(
    context: PayContext,
    input: { phone: string; amount?: number },
    locale: Locale,
  ): Promise<PayAttempt> {
    const { invoice, merchant } = context;
    const t = PAY_PAGE_TEXT[locale];
    const phone = parseKenyanMobile(input.phone ?? '');
    if (!phone.ok) return { ok: false, status: 400, code: 'invalid_phone', message: t.badPhone };
    const amount = input.amount ?? invoice.balance;
    const partialRefused = !merchant.allowPartialPayments && amount !== invoice.balance;
    if (!Number.isInteger(amount) || amount < 1 || amount > invoice.balance || partialRefused) {
      const message =
        invoice.balance > 0 ? fill(t.badAmount, { balance: formatKes(invoice.balance) }) : t.isPaid;
      return { ok: false, status: 400, code: 'invalid_amount', message };
    }
    const result = await this.signals.transaction((tx) =>
      this.payments.initiate(tx, {
        invoiceRef: invoice.ref,
        phone: phone.phone,
        amount,
        source: 'pay-page',
      }),
    );
    if (result.status === 'started') return { ok: true, paymentId: result.paymentId };
    const messages: Record<typeof result.reason, string> = {
      paid: t.isPaid,
      cancelled: fill(t.isCancelled, { merchant: merchant.displayName }),
      expired: fill(t.isExpired, { merchant: merchant.displayName }),
      pending: t.refusedPending,
      attempts_exhausted: fill(t.refusedAttempts, { merchant: merchant.displayName }),
      amount_invalid: fill(t.badAmount, { balance: formatKes(invoice.balance) }),
      not_found: t.refusedGeneric,
    };
    return { ok: false, status: 409, code: result.reason, message: messages[result.reason] };
  }

  receipts(invoiceId: string): Promise<PaidReceipt[]> {
    return this.query.receipts(this.dataSource.manager, invoiceId);
  }

  private latestPayment(invoiceId: string): Promise<LatestPayment | null> {
    return this.query.latestPayment(this.dataSource.manager, invoiceId);
  }

  private succeededCount(invoiceId: string): Promise<number> {
    return this.query.succeededCount(this.dataSource.manager, invoiceId);
  }
}
