import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import type { InvoiceCursor } from '../invoices/invoice-cursor';

/** An invoice with its merchant's and customer's names, as the operator lists show it. */
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
  /** created_at with microseconds, for the keyset cursor. */
  created_at_exact: string;
  sent_at: Date | null;
  paid_at: Date | null;
  cancelled_at: Date | null;
}

export interface AdminInvoiceFilter {
  merchantId?: string;
  status?: string;
  /** ISO 8601, inclusive. */
  from?: string;
  /** ISO 8601, exclusive. */
  to?: string;
  /** A ref prefix or a customer name prefix. */
  q?: string;
  /** Only rows after this one in (created_at, id) descending order. */
  after?: InvoiceCursor;
}

const SELECT = `
  SELECT i.id, i.ref, i.merchant_id, m.display_name AS merchant_name, c.name AS customer_name,
         i.customer_phone, i.amount, i.amount_paid, i.state, i.description, i.version,
         i.created_at, i.sent_at, i.paid_at, i.cancelled_at,
         to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact
    FROM invoices i
    JOIN customers c ON c.id = i.customer_id
    JOIN merchants m ON m.id = i.merchant_id`;

const likePrefix = (text: string): string => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Invoices across all merchants, read for operators. */
@Injectable()
export class AdminInvoicesQuery {
  /**
   * Up to `limit` rows in (created_at, id) descending order: the invoices_*_created_idx indexes
   * serve every filter combination, and rows inserted meanwhile never shift a page.
   */
  async page(
    tx: EntityManager,
    filter: AdminInvoiceFilter,
    limit: number,
  ): Promise<AdminInvoiceRow[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.merchantId) add((n) => `i.merchant_id = ${n}::uuid`, filter.merchantId);
    if (filter.status) add((n) => `i.state = ${n}`, filter.status);
    if (filter.from) add((n) => `i.created_at >= ${n}::timestamptz`, filter.from);
    if (filter.to) add((n) => `i.created_at < ${n}::timestamptz`, filter.to);
    if (filter.q) {
      // Prefixes only: a ref prefix walks the unique ref index; names are matched on the rows
      // the ordered index scan yields, never by scanning every customer.
      params.push(likePrefix(filter.q.toUpperCase()), likePrefix(filter.q));
      where.push(`(i.ref LIKE $${params.length - 1} OR c.name ILIKE $${params.length})`);
    }
    if (filter.after) {
      params.push(filter.after.createdAt, filter.after.id);
      where.push(
        `(i.created_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(limit);
    return queryRows<AdminInvoiceRow>(
      tx,
      `${SELECT} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY i.created_at DESC, i.id DESC
        LIMIT $${params.length}`,
      params,
    );
  }

  /** `ref` as stored (upper case). */
  async findByRef(tx: EntityManager, ref: string): Promise<AdminInvoiceRow | null> {
    const [row] = await queryRows<AdminInvoiceRow>(tx, `${SELECT} WHERE i.ref = $1`, [ref]);
    return row ?? null;
  }
}
