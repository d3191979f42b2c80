import { Module, type OnModuleInit } from '@nestjs/common';
import { InvoicesModule } from '../invoices/invoices.module';
import { invoiceDefinition } from '../machines/invoice.machine';
import { MerchantsModule } from '../merchants/merchants.module';
import { MachineRegistry } from '../runtime/machine-registry';
import { OutboxHandlers } from '../runtime/outbox-handlers';
import { MpesaModule } from './mpesa/mpesa.module';
import { PAYMENT_INITIATOR } from './payment-initiation.port';
import { STK_PUSH_KIND, STK_QUERY_KIND } from './payment-polling.constants';
import { PaymentResultsService } from './payment-results.service';
import { OrphanCallbackMatcher } from './orphan-callbacks.service';
import { PaymentReviewService } from './payment-review.service';
import { PaymentRepository } from './payment.repository';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { ReconciliationJob } from './reconciliation.job';
import { ReconciliationQuery } from './reconciliation.query';
import { ReconciliationService } from './reconciliation.service';
import { StkCallbackController } from './stk-callback.controller';
import { StkCallbackService } from './stk-callback.service';
import { StkPushHandler } from './stk-push.handler';
import { StkQueryHandler } from './stk-query.handler';

/**
 * M-PESA payments for invoices: initiation (REST and PAYMENT_INITIATOR), the STK push and
 * status-query outbox handlers, the Daraja callback, and reconciliation.
 */
@Module({
  imports: [InvoicesModule, MpesaModule, MerchantsModule],
  controllers: [PaymentsController, StkCallbackController],
  providers: [
    PaymentRepository,
    ReconciliationQuery,
    OrphanCallbackMatcher,
    PaymentsService,
    { provide: PAYMENT_INITIATOR, useExisting: PaymentsService },
    PaymentResultsService,
    PaymentReviewService,
    StkPushHandler,
    StkQueryHandler,
    StkCallbackService,
    ReconciliationService,
    ReconciliationJob,
  ],
  exports: [
    PaymentsService,
    PAYMENT_INITIATOR,
    PaymentResultsService,
    PaymentReviewService,
    ReconciliationService,
  ],
})
export class PaymentsModule implements OnModuleInit {
  constructor(
    private readonly registry: MachineRegistry,
    private readonly handlers: OutboxHandlers,
    private readonly push: StkPushHandler,
    private readonly query: StkQueryHandler,
  ) {}

  onModuleInit(): void {
    if (!this.registry.get(invoiceDefinition.kind)) this.registry.register(invoiceDefinition);
    this.handlers.register(STK_PUSH_KIND, this.push);
    this.handlers.register(STK_QUERY_KIND, this.query);
  }
}
