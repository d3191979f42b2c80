import { Module } from '@nestjs/common';
import { AdminAuthModule } from '../admin/admin-auth.module';
import { StatsController } from './stats.controller';
import { StatsRollupJob } from './stats-rollup.job';
import { StatsRollupService } from './stats-rollup.service';
import { StatsSummaryService } from './stats-summary.service';

/** GET /stats/summary (operator key). Prometheus series live in MetricsModule. */
@Module({
  imports: [AdminAuthModule],
  controllers: [StatsController],
  providers: [StatsSummaryService, StatsRollupService, StatsRollupJob],
  exports: [StatsSummaryService, StatsRollupService],
})
export class StatsModule {}
