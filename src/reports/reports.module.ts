import { Module } from '@nestjs/common';
import { AdminAuthModule } from '../admin/admin-auth.module';
import { InvoiceExportService } from './invoice-export.service';
import { InvoicesCsvController } from './invoices-csv.controller';

/** Operator exports (GET /admin/invoices.csv). */
@Module({
  imports: [AdminAuthModule],
  controllers: [InvoicesCsvController],
  providers: [InvoiceExportService],
  exports: [InvoiceExportService],
})
export class ReportsModule {}
