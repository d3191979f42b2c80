import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsQuery } from './metrics.query';
import { MetricsService } from './metrics.service';

@Module({
  controllers: [MetricsController],
  providers: [MetricsService, MetricsQuery],
  exports: [MetricsService],
})
export class MetricsModule {}
