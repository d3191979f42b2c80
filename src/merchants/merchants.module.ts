import { Module } from '@nestjs/common';
import { CustomerRepository } from './customer.repository';
import { CustomersService } from './customers.service';
import { MerchantAuthGuard } from './merchant-auth.guard';
import { MerchantRepository } from './merchant.repository';
import { MerchantsService } from './merchants.service';

/** Merchants and their API keys, their saved customers, and the guard that turns a key into a merchant. */
@Module({
  providers: [
    MerchantRepository,
    CustomerRepository,
    MerchantsService,
    CustomersService,
    MerchantAuthGuard,
  ],
  exports: [MerchantsService, CustomersService, MerchantAuthGuard],
})
export class MerchantsModule {}
