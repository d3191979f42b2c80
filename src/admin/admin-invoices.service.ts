import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError, DomainError, NotFoundError } from '../common/http/domain-error';
import { maskPhone } from '../common/logging/redact';
import { decodeCursor, encodeCursor } from '../invoices/invoice-cursor';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import { MachineRunner, type MachineEvent } from '../runtime/machine-runner';
import { type AdminInvoiceRow, AdminInvoicesQuery } from './admin-invoices.query';
import { ADMIN_DEFAULT_PAGE, type ListAdminInvoicesParams } from './dto/list-admin-invoices.dto';

export interface AdminInvoiceItem {
  id: string;
  ref: string;
  merchantId: string;
  merchantName: string;
  customerName: string | null;
  /** Masked: the list never shows a whole number. */
  customerPhone: string;
  amount: number;
  amountPaid: number;
  state: string;
  createdAt: string;
  sentAt: string | null;
  paidAt: string | null;
  cancelledAt: string | null;
}

export interface AdminInvoicePage {
  items: AdminInvoiceItem[];
  nextCursor: string | null;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function toAdminInvoice(row: AdminInvoiceRow): AdminInvoiceItem {
  return {
    id: row.id,
    ref: row.ref,
    merchantId: row.merchant_id,
    merchantName: row.merchant_name,
    customerName: row.customer_name,
    customerPhone: maskPhone(row.customer_phone),
    amount: Number(row.amount),
    amountPaid: Number(row.amount_paid),
    state: row.state,
    createdAt: new Date(row.created_at).toISOString(),
    sentAt: iso(row.sent_at),
    paidAt: iso(row.paid_at),
    cancelledAt: iso(row.cancelled_at),
  };
}

/** Invoices across all merchants, for operators; and the two operator actions on one. */
@Injectable()
export class AdminInvoicesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: AdminInvoicesQuery,
    private readonly runner: MachineRunner,
  ) {}

  /** Keyset pages, newest first. */
  async list(query: ListAdminInvoicesParams): Promise<AdminInvoicePage> {
    const limit = query.limit ?? ADMIN_DEFAULT_PAGE;
    const rows = await this.invoices.page(
      this.dataSource.manager,
      {
        merchantId: query.merchant,
        status: query.status,
        from: query.from,
        to: query.to,
        q: query.q,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
      },
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toAdminInvoice),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ createdAt: last.created_at_exact, id: last.id })
          : null,
    };
  }

  async getByRef(ref: string): Promise<AdminInvoiceRow> {
    const normalized = ref.trim().toUpperCase();
    if (!/^[A-Z0-9-]{1,40}$/.test(normalized)) throw new NotFoundError('Invoice');
    const row = await this.invoices.findByRef(this.dataSource.manager, normalized);
    if (!row) throw new NotFoundError('Invoice');
    return row;
  }

  /** Sends the invoice again (invoice machine REMIND); refused in states that take no reminder. */
  resend(ref: string): Promise<AdminInvoiceItem> {
    return this.act(ref, { type: 'REMIND', by: 'admin' }, 'not_resendable', 'resent');
  }

  cancel(ref: string): Promise<AdminInvoiceItem> {
    return this.act(ref, { type: 'CANCEL', by: 'admin' }, 'not_cancellable', 'cancelled');
  }

  private async act(
    ref: string,
    event: MachineEvent,
    code: string,
    verb: string,
  ): Promise<AdminInvoiceItem> {
    const invoice = await this.getByRef(ref);
    const result = await this.runner.send(INVOICE_MACHINE_KIND, invoice.id, event, {
      source: 'admin',
    });
    if (!result.accepted) {
      if (result.reason === 'not_accepted') {
        throw new ConflictError(
          code,
          `Invoice ${invoice.ref} is ${result.state}: it cannot be ${verb} in that state`,
          { state: result.state },
        );
      }
      throw new DomainError(
        code,
        `Invoice ${invoice.ref} could not be ${verb}: ${result.reason}`,
        HttpStatus.CONFLICT,
      );
    }
    return toAdminInvoice(await this.getByRef(invoice.ref));
  }
}
