import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../config/app-config';
import { SmsDeliveryReportService } from './sms-delivery-report.service';
import { SmsInboundService } from './sms-inbound.service';

export const SMS_INBOUND_SWEEP_JOB = 'sms-inbound-sweep';

/**
 * Every SMS_INBOUND_SWEEP_INTERVAL_SECONDS (default 5): hands the bot again the inbound SMS
 * whose handling failed after Africa's Talking stopped retrying (or that came while the bot was
 * away), until they are handled or out of attempts (then dead); applies delivery reports that
 * raced their messages row, and marks dead those that never found one. Safe on every instance.
 */
@Injectable()
export class SmsInboundSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SmsInboundSweeper.name);
  private running = false;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly inbound: SmsInboundService,
    private readonly reports: SmsDeliveryReportService,
  ) {}

  onApplicationBootstrap(): void {
    const ms = this.config.inbound.smsSweepIntervalSeconds * 1000;
    this.scheduler.addInterval(
      SMS_INBOUND_SWEEP_JOB,
      setInterval(() => void this.sweep(), ms),
    );
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.scheduler.doesExist('interval', SMS_INBOUND_SWEEP_JOB)) {
      this.scheduler.deleteInterval(SMS_INBOUND_SWEEP_JOB);
    }
  }

  /** One pass; overlapping runs are skipped. */
  async sweep(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      const handled = await this.inbound.processPending();
      const reports = await this.reports.sweepStranded();
      if (handled > 0 || reports.applied > 0) {
        this.logger.log({ msg: 'sms sweep', handled, reportsApplied: reports.applied });
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'sms inbound sweep failed');
    } finally {
      this.running = false;
    }
  }
}
