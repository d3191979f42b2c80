import { Module } from '@nestjs/common';
import { MerchantsModule } from '../merchants/merchants.module';
import { MpesaModule } from '../payments/mpesa/mpesa.module';
import { PaymentsModule } from '../payments/payments.module';
import { AdminAuthModule } from './admin-auth.module';
import { AdminInboundController } from './admin-inbound.controller';
import { AdminInboundQuery } from './admin-inbound.query';
import { AdminInboundService } from './admin-inbound.service';
import { AdminInvoicesController } from './admin-invoices.controller';
import { AdminInvoicesQuery } from './admin-invoices.query';
import { AdminInvoicesService } from './admin-invoices.service';
import { AdminMachinesController } from './admin-machines.controller';
import { AdminMachinesQuery } from './admin-machines.query';
import { AdminMachinesService } from './admin-machines.service';
import { AdminMerchantsController } from './admin-merchants.controller';
import { AdminOperationsController } from './admin-operations.controller';
import { AdminOutboxQuery } from './admin-outbox.query';
import { AdminOutboxService } from './admin-outbox.service';
import { AdminPaymentsService } from './admin-payments.service';
import { AdminTimelineQuery } from './admin-timeline.query';
import { AdminTimelineService } from './admin-timeline.service';

/** Operator endpoints behind ADMIN_API_KEY, rate-limited per client address. */
@Module({
  imports: [MerchantsModule, PaymentsModule, MpesaModule, AdminAuthModule],
  controllers: [
    AdminMerchantsController,
    AdminInvoicesController,
    AdminOperationsController,
    AdminMachinesController,
    AdminInboundController,
  ],
  providers: [
    AdminInvoicesService,
    AdminTimelineService,
    AdminPaymentsService,
    AdminOutboxService,
    AdminMachinesService,
    AdminInboundService,
    AdminInvoicesQuery,
    AdminTimelineQuery,
    AdminOutboxQuery,
    AdminMachinesQuery,
    AdminInboundQuery,
  ],
})
export class AdminModule {}
