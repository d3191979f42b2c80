import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  type ExportPosition,
  type InvoiceExportFilter,
  InvoiceExportQuery,
  type InvoiceExportRow,
} from './invoice-export.query';

/** Small enough that a page is a few hundred kB; large enough that round trips do not dominate. */
export const EXPORT_PAGE_SIZE = 1000;

/**
 * Reads the invoices of an export page by page in (created_at, id) descending order: keyset
 * pages keep memory flat however large the export, each page is a short index-range read, and
 * no connection or transaction is held open while the client downloads.
 */
@Injectable()
export class InvoiceExportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly invoices: InvoiceExportQuery,
  ) {}

  async *pages(
    filter: InvoiceExportFilter,
    pageSize = EXPORT_PAGE_SIZE,
  ): AsyncGenerator<InvoiceExportRow[]> {
    let after: ExportPosition | undefined;
    for (;;) {
      const rows = await this.invoices.page(this.dataSource.manager, filter, after, pageSize);
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = { createdAt: last.created_at_exact, id: last.id };
    }
  }
}
