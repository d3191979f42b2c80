import { Module } from '@nestjs/common';
import { AdminAuthModule } from '../admin/admin-auth.module';
import { InvoiceCohortQuery } from './invoice-cohort.query';
import { StatsController } from './stats.controller';
import { StatsRollupJob } from './stats-rollup.job';
import { StatsRollupRepository } from './stats-rollup.repository';
import { StatsRollupService } from './stats-rollup.service';
import { StatsSummaryService } from './stats-summary.service';
import { TimeToPayQuery } from './time-to-pay.query';

/** GET /stats/summary (operator key). Prometheus series live in MetricsModule. */
@Module({
  imports: [AdminAuthModule],
  controllers: [StatsController],
  providers: [
    StatsSummaryService,
    StatsRollupService,
    StatsRollupJob,
    StatsRollupRepository,
    InvoiceCohortQuery,
    TimeToPayQuery,
  ],
  exports: [StatsSummaryService, StatsRollupService],
})
export class StatsModule {}
