import { Module } from '@nestjs/common';
import { PAYMENT_PROVIDER } from '../payment-provider.port';
import { DarajaClient } from './daraja.client';

/** The M-PESA adapter: DarajaClient, also bound to the PaymentProvider port. */
@Module({
  providers: [DarajaClient, { provide: PAYMENT_PROVIDER, useExisting: DarajaClient }],
  exports: [DarajaClient, PAYMENT_PROVIDER],
})
export class MpesaModule {}
