import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import type { InvoiceState } from '../machines/invoice.machine';

export interface InvoiceExportFilter {
  merchantId?: string;
  status?: InvoiceState;
  from?: Date;
  to?: Date;
  q?: string;
}

export interface InvoiceExportRow {
  id: string;
  ref: string;
  merchant_id: string;
  merchant_name: string;
  state: string;
  amount: number;
  amount_paid: number;
  /** M-PESA took this much beyond what the invoice owed (overpayments): to be refunded. */
  refund_due: number;
  created_at: Date;
  /** created_at as PostgreSQL prints it, microseconds kept, for the keyset. */
  created_at_exact: string;
  sent_at: Date | null;
  paid_at: Date | null;
  customer_name: string | null;
  customer_phone: string;
}

/** Where the previous page ended, in (created_at, id) descending order. */
export interface ExportPosition {
  createdAt: string;
  id: string;
}

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The invoices of a CSV export with their merchant, customer and refund due. */
@Injectable()
export class InvoiceExportQuery {
  /**
   * One page in (created_at, id) descending order after `after`: a short index-range read on
   * the (merchant_id[, state], created_at DESC, id DESC) indexes.
   */
  page(
    tx: EntityManager,
    filter: InvoiceExportFilter,
    after: ExportPosition | undefined,
    pageSize: number,
  ): Promise<InvoiceExportRow[]> {
    const { conditions, params } = whereClause(filter);
    if (after) {
      params.push(after.createdAt, after.id);
      conditions.push(
        `(i.created_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(pageSize);
    return queryRows<InvoiceExportRow>(
      tx,
      `SELECT i.id, i.ref, i.merchant_id, m.display_name AS merchant_name, i.state, i.amount,
              i.amount_paid, i.created_at, i.created_at::text AS created_at_exact, i.sent_at,
              i.paid_at, c.name AS customer_name, i.customer_phone,
              (SELECT COALESCE(sum(p.overpaid_amount), 0)::int FROM payments p
                WHERE p.invoice_id = i.id AND p.overpaid_amount IS NOT NULL) AS refund_due
         FROM invoices i
         JOIN merchants m ON m.id = i.merchant_id
         LEFT JOIN customers c ON c.id = i.customer_id
        WHERE ${conditions.length ? conditions.join(' AND ') : 'true'}
        ORDER BY i.created_at DESC, i.id DESC
        LIMIT $${params.length}`,
      params,
    );
  }
}

function whereClause(filter: InvoiceExportFilter): { conditions: string[]; params: unknown[] } {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(params.length));
  };
  if (filter.merchantId) add((n) => `i.merchant_id = $${n}::uuid`, filter.merchantId);
  if (filter.status) add((n) => `i.state = $${n}`, filter.status);
  if (filter.from) add((n) => `i.created_at >= $${n}::timestamptz`, filter.from);
  if (filter.to) add((n) => `i.created_at < $${n}::timestamptz`, filter.to);
  if (filter.q) {
    // As the admin list: a ref prefix (refs are upper case) or a customer name prefix.
    params.push(`${likeEscape(filter.q.toUpperCase())}%`, `${likeEscape(filter.q)}%`);
    conditions.push(`(i.ref LIKE $${params.length - 1} OR c.name ILIKE $${params.length})`);
  }
  return { conditions, params };
}
