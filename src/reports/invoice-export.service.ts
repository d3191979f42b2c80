import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
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

/** Small enough that a page is a few hundred kB; large enough that round trips do not dominate. */
export const EXPORT_PAGE_SIZE = 1000;

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Reads the invoices of an export page by page in (created_at, id) descending order: keyset
 * pages keep memory flat however large the export, each page is a short index-range read on
 * the existing (merchant_id[, state], created_at DESC, id DESC) indexes, and no connection or
 * transaction is held open while the client downloads.
 */
@Injectable()
export class InvoiceExportService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async *pages(
    filter: InvoiceExportFilter,
    pageSize = EXPORT_PAGE_SIZE,
  ): AsyncGenerator<InvoiceExportRow[]> {
    const { conditions, params } = whereClause(filter);
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const pageParams = [...params];
      const pageConditions = [...conditions];
      if (after) {
        pageParams.push(after.createdAt, after.id);
        pageConditions.push(
          `(i.created_at, i.id) < ($${pageParams.length - 1}::timestamptz, $${pageParams.length}::uuid)`,
        );
      }
      pageParams.push(pageSize);
      const rows = await queryRows<InvoiceExportRow>(
        this.dataSource,
        `SELECT i.id, i.ref, i.merchant_id, m.display_name AS merchant_name, i.state, i.amount,
                i.amount_paid, i.created_at, i.created_at::text AS created_at_exact, i.sent_at,
                i.paid_at, c.name AS customer_name, i.customer_phone,
                (SELECT COALESCE(sum(p.overpaid_amount), 0)::int FROM payments p
                  WHERE p.invoice_id = i.id AND p.overpaid_amount IS NOT NULL) AS refund_due
           FROM invoices i
           JOIN merchants m ON m.id = i.merchant_id
           LEFT JOIN customers c ON c.id = i.customer_id
          WHERE ${pageConditions.length ? pageConditions.join(' AND ') : 'true'}
          ORDER BY i.created_at DESC, i.id DESC
          LIMIT $${pageParams.length}`,
        pageParams,
      );
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = { createdAt: last.created_at_exact, id: last.id };
    }
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
