import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { StatsController } from './stats.controller';
import { StatsSummaryService } from './stats-summary.service';

/** GET /stats/summary (operator key). Prometheus series live in MetricsModule. */
@Module({
  imports: [AdminModule],
  controllers: [StatsController],
  providers: [StatsSummaryService],
  exports: [StatsSummaryService],
})
export class StatsModule {}
