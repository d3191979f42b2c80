import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { MerchantsModule } from '../merchants/merchants.module';
import { StatsController } from './stats.controller';
import { StatsRollupJob } from './stats-rollup.job';
import { StatsRollupService } from './stats-rollup.service';
import { StatsSummaryService } from './stats-summary.service';

/** GET /stats/summary (operator key). Prometheus series live in MetricsModule. */
@Module({
  // AdminModule brings the rate limiter; MerchantsModule lets the admin guard tell a merchant key (403).
  imports: [AdminModule, MerchantsModule],
  controllers: [StatsController],
  providers: [StatsSummaryService, StatsRollupService, StatsRollupJob],
  exports: [StatsSummaryService, StatsRollupService],
})
export class StatsModule {}
