import { Module } from '@nestjs/common';
import { MerchantAuthGuard } from './merchant-auth.guard';
import { MerchantsService } from './merchants.service';

/** Merchants and their API keys, and the guard that turns a key into a merchant. */
@Module({
  providers: [MerchantsService, MerchantAuthGuard],
  exports: [MerchantsService, MerchantAuthGuard],
})
export class MerchantsModule {}
