import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config';
import { RetentionService } from './retention.service';

/** Once a day, at a quiet hour in Kenya. Only checks the mode and calls the service. */
@Injectable()
export class RetentionCron {
  private readonly logger = new Logger(RetentionCron.name);

  constructor(
    private readonly config: AppConfig,
    private readonly retention: RetentionService,
  ) {}

  @Cron('0 3 * * *', { name: 'data-retention', timeZone: 'Africa/Nairobi' })
  async daily(): Promise<void> {
    if (this.config.retention.mode === 'off') return;
    try {
      await this.retention.run({ dryRun: this.config.retention.mode === 'dry-run' });
    } catch (error) {
      this.logger.error({ err: error }, 'data retention failed; it runs again tomorrow');
    }
  }
}
