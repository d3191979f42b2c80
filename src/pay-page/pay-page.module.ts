import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { InvoicesModule } from '../invoices/invoices.module';
import { MerchantsModule } from '../merchants/merchants.module';
import { PaymentsModule } from '../payments/payments.module';
import { PayPageController } from './pay-page.controller';
import { PayPageQuery } from './pay-page.query';
import { PayPageService } from './pay-page.service';

@Module({
  imports: [
    InvoicesModule,
    MerchantsModule,
    PaymentsModule,
    // Per client address: protects customers from prompt spam and the service from floods.
    ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: 60_000, limit: 60 }] }),
  ],
  controllers: [PayPageController],
  providers: [PayPageQuery, PayPageService],
  exports: [PayPageService],
})
export class PayPageModule {}
