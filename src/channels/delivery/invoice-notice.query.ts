import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Locale } from '../../config/app-config';
import { queryRows } from '../../database/sql';

/** An invoice with the merchant and customer around it, as one snapshot for the renderers. */
export interface InvoiceNoticeRow {
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

export interface NoticePaymentRow {
  amount: number;
  paid_amount: number | null;
  mpesa_receipt: string | null;
  outcome: string | null;
}

/**
 * The read model of the invoice notices. A notice is rendered late, from current data, in one
 * read across the tables it names: going through InvoicesService, MerchantsService and
 * CustomersService instead would take three reads that need not agree with each other, and
 * would widen their records with fields (the 24-hour windows, the opt-out) only rendering needs.
 * SELECT only.
 */
@Injectable()
export class InvoiceNoticeQuery {
  async invoice(tx: EntityManager, invoiceId: string): Promise<InvoiceNoticeRow | null> {
    const [row] = await queryRows<InvoiceNoticeRow>(
      tx,
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
    return row ?? null;
  }

  /** One payment attempt of this invoice (never another invoice's). */
  async payment(
    tx: EntityManager,
    invoiceId: string,
    paymentId: string,
  ): Promise<NoticePaymentRow | null> {
    const [row] = await queryRows<NoticePaymentRow>(
      tx,
      `SELECT amount, paid_amount, mpesa_receipt, outcome FROM payments WHERE id = $1 AND invoice_id = $2`,
      [paymentId, invoiceId],
    );
    return row ?? null;
  }
}
