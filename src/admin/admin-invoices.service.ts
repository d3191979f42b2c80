import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError, DomainError, NotFoundError } from '../common/http/domain-error';
import { maskPhone } from '../common/logging/redact';
import { queryRows } from '../database/sql';
import { decodeCursor, encodeCursor } from '../invoices/invoice-cursor';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import { MachineRunner, type MachineEvent } from '../runtime/machine-runner';
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

export interface AdminInvoiceRow {
  id: string;
  ref: string;
  merchant_id: string;
  merchant_name: string;
  customer_name: string | null;
  customer_phone: string;
  amount: number;
  amount_paid: number;
  state: string;
  description: string;
  version: number;
  created_at: Date;
  created_at_exact: string;
  sent_at: Date | null;
  paid_at: Date | null;
  cancelled_at: Date | null;
}

const SELECT = `
  SELECT i.id, i.ref, i.merchant_id, m.display_name AS merchant_name, c.name AS customer_name,
         i.customer_phone, i.amount, i.amount_paid, i.state, i.description, i.version,
         i.created_at, i.sent_at, i.paid_at, i.cancelled_at,
         to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact
    FROM invoices i
    JOIN customers c ON c.id = i.customer_id
    JOIN merchants m ON m.id = i.merchant_id`;

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);
const likePrefix = (text: string): string => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

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
    private readonly runner: MachineRunner,
  ) {}

  /**
   * Keyset pages in (created_at, id) descending order: the invoices_*_created_idx indexes
   * serve every filter combination, and rows inserted meanwhile never shift a page.
   */
  async list(query: ListAdminInvoicesParams): Promise<AdminInvoicePage> {
    const limit = query.limit ?? ADMIN_DEFAULT_PAGE;
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (query.merchant) add((n) => `i.merchant_id = ${n}::uuid`, query.merchant);
    if (query.status) add((n) => `i.state = ${n}`, query.status);
    if (query.from) add((n) => `i.created_at >= ${n}::timestamptz`, query.from);
    if (query.to) add((n) => `i.created_at < ${n}::timestamptz`, query.to);
    if (query.q) {
      // Prefixes only: a ref prefix walks the unique ref index; names are matched on the rows
      // the ordered index scan yields, never by scanning every customer.
      params.push(likePrefix(query.q.toUpperCase()), likePrefix(query.q));
      where.push(`(i.ref LIKE $${params.length - 1} OR c.name ILIKE $${params.length})`);
    }
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      params.push(cursor.createdAt, cursor.id);
      where.push(
        `(i.created_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(limit + 1);
    const rows = await queryRows<AdminInvoiceRow>(
      this.dataSource,
      `${SELECT} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY i.created_at DESC, i.id DESC
        LIMIT $${params.length}`,
      params,
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
    const [row] = await queryRows<AdminInvoiceRow>(this.dataSource, `${SELECT} WHERE i.ref = $1`, [
      normalized,
    ]);
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
