import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { StatsRollupService } from './stats-rollup.service';

/**
 * Re-aggregates the hours whose invoices changed. The summary is exact without it (dirty
 * hours are counted live); the job keeps the live part small, and so the summary fast.
 */
@Injectable()
export class StatsRollupJob implements OnApplicationShutdown {
  private readonly logger = new Logger(StatsRollupJob.name);
  private running = false;
  private stopped = false;

  constructor(private readonly rollup: StatsRollupService) {}

  @Interval('stats-rollup', 15_000)
  async refresh(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      const started = performance.now();
      const { hours, batches } = await this.rollup.refreshAll();
      if (hours > 0) {
        this.logger.debug(
          { hours, batches, ms: Math.round(performance.now() - started) },
          'stats rollup refreshed',
        );
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'stats rollup refresh failed; the summary counts live');
    } finally {
      this.running = false;
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }
}
