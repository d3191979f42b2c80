import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isUuid } from '../../common/text/uuid';
import { InvoicesService } from '../../invoices/invoices.service';
import { Clock } from '../../runtime/clock';
import { isWindowOpen } from '../whatsapp/customer-window';
import { DeliveryRepository } from './delivery.repository';
import { InvoiceNoticeQuery } from './invoice-notice.query';
import type { InvoiceNoticeView, PaymentView } from './renderers/notice-view';

/** Reads an invoice, its merchant and customer (and a payment) into the renderers' view. */
@Injectable()
export class InvoiceNoticeLoader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: InvoicesService,
    private readonly clock: Clock,
    private readonly notices: InvoiceNoticeQuery,
    private readonly deliveries: DeliveryRepository,
  ) {}

  async view(
    invoiceId: unknown,
  ): Promise<
    (InvoiceNoticeView & { state: string; invoiceId: string; customerOptedOut: boolean }) | null
  > {
    if (typeof invoiceId !== 'string' || !isUuid(invoiceId)) return null;
    const row = await this.notices.invoice(this.dataSource.manager, invoiceId);
    if (!row) return null;
    const now = this.clock.now();
    const amount = Number(row.amount);
    const amountPaid = Number(row.amount_paid);
    return {
      invoiceId: row.id,
      state: row.state,
      customerOptedOut: row.customer_opted_out_at !== null,
      locale: row.merchant_locale,
      merchantName: row.merchant_name,
      merchantPhone: row.merchant_phone,
      merchantWindowOpen: isWindowOpen(dateOrNull(row.merchant_last_inbound_at), now),
      ref: row.ref,
      amount,
      amountPaid,
      balance: Math.max(0, amount - amountPaid),
      description: row.description,
      customerName: row.customer_name,
      customerPhone: row.customer_phone,
      customerWindowOpen: isWindowOpen(dateOrNull(row.customer_last_inbound_at), now),
      payUrl: this.invoices.payUrl({ payToken: row.pay_token }),
    };
  }

  async payment(invoiceId: string, paymentId: unknown): Promise<PaymentView | null> {
    if (typeof paymentId !== 'string' || !isUuid(paymentId)) return null;
    const row = await this.notices.payment(this.dataSource.manager, invoiceId, paymentId);
    if (!row) return null;
    return {
      amount: Number(row.paid_amount ?? row.amount),
      receipt: row.mpesa_receipt,
      outcome: row.outcome,
    };
  }

  /** Whether the customer ever had this invoice from us (a cancellation notice makes sense). */
  invoiceReachedCustomer(invoiceId: string): Promise<boolean> {
    return this.deliveries.invoiceReachedCustomer(this.dataSource.manager, invoiceId);
  }
}

function dateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : new Date(value);
}
