import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { StatsRollupService } from './stats-rollup.service';

/**
 * Re-aggregates the hours whose invoices changed, every STATS_ROLLUP_INTERVAL_SECONDS. The
 * summary is exact without it (dirty hours are counted live); the job keeps the live part
 * small, and so the summary fast.
 */
@Injectable()
export class StatsRollupJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StatsRollupJob.name);
  private running = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly rollup: StatsRollupService,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.statsRollupIntervalSeconds;
    if (seconds > 0) this.timer = setInterval(() => void this.refresh(), seconds * 1000);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async refresh(): Promise<void> {
    if (this.running) return;
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
}
