import { Module } from '@nestjs/common';
import { MerchantsModule } from '../merchants/merchants.module';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminMerchantsController } from './admin-merchants.controller';

/** Operator endpoints behind ADMIN_API_KEY. */
@Module({
  imports: [MerchantsModule],
  controllers: [AdminMerchantsController],
  providers: [AdminAuthGuard],
  exports: [AdminAuthGuard],
})
export class AdminModule {}
