import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Locale } from '../../config/app-config';
import { queryRows } from '../../database/sql';
import { InvoicesService } from '../../invoices/invoices.service';
import { Clock } from '../../runtime/clock';
import { isWindowOpen } from '../whatsapp/customer-window';
import type { InvoiceNoticeView, PaymentView } from './renderers/notice-view';

interface NoticeRow {
  id: string;
  ref: string;
  state: string;
  amount: number;
  amount_paid: number;
  description: string;
  pay_token: string;
  customer_phone: string;
  customer_name: string | null;
  customer_last_inbound_at: Date | null;
  customer_opted_out_at: Date | null;
  merchant_name: string;
  merchant_phone: string;
  merchant_locale: Locale;
  merchant_last_inbound_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads an invoice, its merchant and customer (and a payment) into the renderers' view. */
@Injectable()
export class InvoiceNoticeLoader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: InvoicesService,
    private readonly clock: Clock,
  ) {}

  async view(
    invoiceId: unknown,
  ): Promise<
    (InvoiceNoticeView & { state: string; invoiceId: string; customerOptedOut: boolean }) | null
  > {
    if (typeof invoiceId !== 'string' || !UUID.test(invoiceId)) return null;
    const [row] = await queryRows<NoticeRow>(
      this.dataSource,
      `SELECT i.id, i.ref, i.state, i.amount, i.amount_paid, i.description, i.pay_token, i.customer_phone,
              c.name AS customer_name, c.last_inbound_at AS customer_last_inbound_at,
              c.opted_out_at AS customer_opted_out_at,
              m.display_name AS merchant_name, m.whatsapp_phone AS merchant_phone,
              m.locale AS merchant_locale, m.last_inbound_at AS merchant_last_inbound_at
         FROM invoices i
         JOIN customers c ON c.id = i.customer_id
         JOIN merchants m ON m.id = i.merchant_id
        WHERE i.id = $1`,
      [invoiceId],
    );
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
    if (typeof paymentId !== 'string' || !UUID.test(paymentId)) return null;
    const [row] = await queryRows<{
      amount: number;
      paid_amount: number | null;
      mpesa_receipt: string | null;
      outcome: string | null;
    }>(
      this.dataSource,
      `SELECT amount, paid_amount, mpesa_receipt, outcome FROM payments WHERE id = $1 AND invoice_id = $2`,
      [paymentId, invoiceId],
    );
    if (!row) return null;
    return {
      amount: Number(row.paid_amount ?? row.amount),
      receipt: row.mpesa_receipt,
      outcome: row.outcome,
    };
  }

  /** Whether the customer ever had this invoice from us (a cancellation notice makes sense). */
  async invoiceReachedCustomer(invoiceId: string): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      this.dataSource,
      `SELECT 1 AS one FROM deliveries
        WHERE invoice_id = $1 AND purpose IN ('invoice', 'reminder')
          AND state NOT IN ('ROUTING', 'WHATSAPP_PENDING', 'FAILED') LIMIT 1`,
      [invoiceId],
    );
    return rows.length > 0;
  }
}

function dateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : new Date(value);
}
