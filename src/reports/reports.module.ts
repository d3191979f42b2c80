import { Module } from '@nestjs/common';
import { AdminAuthModule } from '../admin/admin-auth.module';
import { InvoiceExportQuery } from './invoice-export.query';
import { InvoiceExportService } from './invoice-export.service';
import { InvoicesCsvController } from './invoices-csv.controller';

/** Operator exports (GET /admin/invoices.csv). */
@Module({
  imports: [AdminAuthModule],
  controllers: [InvoicesCsvController],
  providers: [InvoiceExportService, InvoiceExportQuery],
  exports: [InvoiceExportService],
})
export class ReportsModule {}
