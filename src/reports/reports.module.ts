import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { MerchantsModule } from '../merchants/merchants.module';
import { InvoiceExportService } from './invoice-export.service';
import { InvoicesCsvController } from './invoices-csv.controller';

/** Operator exports (GET /admin/invoices.csv). */
@Module({
  // AdminModule brings the rate limiter; MerchantsModule lets the admin guard tell a merchant key (403).
  imports: [AdminModule, MerchantsModule],
  controllers: [InvoicesCsvController],
  providers: [InvoiceExportService],
  exports: [InvoiceExportService],
})
export class ReportsModule {}
