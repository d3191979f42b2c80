import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { MerchantsModule } from '../merchants/merchants.module';
import { ADMIN_RATE_LIMIT } from './admin-api.decorator';
import { AdminAuthGuard } from './admin-auth.guard';

/**
 * What `@AdminApi()` needs and nothing else: the admin key guard, the rate limiter it runs
 * behind, and the merchants it asks to tell a merchant key (403) from a wrong one (401). A
 * module whose controllers are operator endpoints imports this, not the whole AdminModule.
 */
@Module({
  imports: [
    MerchantsModule,
    ThrottlerModule.forRoot({
      throttlers: [{ name: 'default', ttl: 60_000, limit: ADMIN_RATE_LIMIT }],
    }),
  ],
  providers: [AdminAuthGuard],
  // The guard is built in each importing module's injector, so its dependencies go along too.
  exports: [AdminAuthGuard, MerchantsModule],
})
export class AdminAuthModule {}
