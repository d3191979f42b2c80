import { Module, type OnModuleInit } from '@nestjs/common';
import { invoiceDefinition } from '../machines/invoice.machine';
import { MerchantsModule } from '../merchants/merchants.module';
import { MachineRegistry } from '../runtime/machine-registry';
import { InvoiceRepository } from './invoice.repository';
import { InvoicesController } from './invoices.controller';
import { InvoicesService } from './invoices.service';

/** Invoices over the merchant API; registers the invoice machine with the runtime. */
@Module({
  imports: [MerchantsModule],
  controllers: [InvoicesController],
  providers: [InvoiceRepository, InvoicesService],
  exports: [InvoicesService],
})
export class InvoicesModule implements OnModuleInit {
  constructor(private readonly registry: MachineRegistry) {}

  onModuleInit(): void {
    // Another module (e.g. payments) may have registered it first; the definition is the same.
    if (!this.registry.get(invoiceDefinition.kind)) this.registry.register(invoiceDefinition);
  }
}
