import { Controller, Get, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { AdminApi } from '../admin/admin-api.decorator';
import { bearerToken } from '../common/http/bearer';
import { maskPhone } from '../common/logging/redact';
import { parseKenyanMobile } from '../common/phone';
import { parsePeriod } from '../stats/stats-period';
import { csvLine } from './csv';
import type { InvoiceExportFilter } from './invoice-export.query';
import { InvoiceExportService } from './invoice-export.service';
import { InvoicesCsvParams } from './dto/invoices-csv.dto';

export const INVOICES_CSV_HEADER = [
  'ref',
  'merchant_id',
  'merchant',
  'state',
  'amount',
  'amount_paid',
  'balance',
  'refund_due',
  'created_at',
  'sent_at',
  'paid_at',
  'customer_name',
  'customer_phone',
] as const;

/** Which admin key asked: a fingerprint tells keys apart across rotations without revealing one. */
function adminFingerprint(request: Request): string {
  const token = bearerToken(request.headers.authorization) ?? '';
  return `admin-key:${createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 8)}`;
}

/** Waits until the socket takes more, or the client has gone (then there is no point writing). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

@AdminApi()
@Controller('admin')
export class InvoicesCsvController {
  private readonly logger = new Logger('InvoicesCsvExport');

  constructor(private readonly exports: InvoiceExportService) {}

  @Get('invoices.csv')
  @ApiOperation({
    summary: 'Invoices as CSV, streamed; customer phones masked unless pii=true (logged)',
  })
  @ApiProduces('text/csv')
  @ApiBadRequestResponse({ description: 'A filter is invalid; the message names it' })
  async export(
    @Query() query: InvoicesCsvParams,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // Everything that can be refused is checked before the first byte goes out.
    const filter: InvoiceExportFilter = {
      merchantId: query.merchant,
      status: query.status,
      q: query.q,
      ...parsePeriod(query.from, query.to),
    };
    const pii = query.pii === 'true';
    const stamp = new Date().toISOString().slice(0, 10);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="invoices-${stamp}.csv"`);
    res.setHeader('Cache-Control', 'no-store');

    let rows = 0;
    let outcome: 'complete' | 'client_gone' | 'failed' = 'complete';
    try {
      if (!res.write(csvLine(INVOICES_CSV_HEADER))) await drained(res);
      for await (const page of this.exports.pages(filter)) {
        if (res.destroyed) {
          outcome = 'client_gone';
          break;
        }
        const chunk = page
          .map((row) =>
            csvLine([
              row.ref,
              row.merchant_id,
              row.merchant_name,
              row.state,
              row.amount,
              row.amount_paid,
              Math.max(0, row.amount - row.amount_paid),
              row.refund_due,
              row.created_at,
              row.sent_at,
              row.paid_at,
              row.customer_name,
              pii ? row.customer_phone : maskPhone(row.customer_phone),
            ]),
          )
          .join('');
        rows += page.length;
        if (!res.write(chunk)) await drained(res);
      }
      if (res.destroyed && outcome === 'complete') outcome = 'client_gone';
      res.end();
    } catch (error) {
      outcome = 'failed';
      this.logger.error({ msg: 'invoice CSV export failed', rows, err: error });
      // A truncated body must not look like a complete file: break the chunked response.
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    } finally {
      if (pii) {
        this.logger.warn({
          msg: 'invoice CSV export with raw customer phones',
          admin: adminFingerprint(req),
          filters: {
            merchant: filter.merchantId ?? null,
            status: filter.status ?? null,
            from: filter.from?.toISOString() ?? null,
            to: filter.to?.toISOString() ?? null,
            q: logSafeQuery(filter.q),
          },
          rows,
          outcome,
        });
      }
    }
  }
}

/** A phone searched for is masked; free text (often a customer's name) is only acknowledged. */
function logSafeQuery(q: string | undefined): string | null {
  if (q === undefined) return null;
  return parseKenyanMobile(q).ok ? maskPhone(q) : `[text, ${q.length} chars]`;
}
