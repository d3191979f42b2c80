import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ReconciliationService } from './reconciliation.service';

/** Runs payment reconciliation every five minutes; the work is in ReconciliationService. */
@Injectable()
export class ReconciliationJob {
  private readonly logger = new Logger(ReconciliationJob.name);
  private running = false;

  constructor(private readonly reconciliation: ReconciliationService) {}

  @Interval('payments-reconcile', 5 * 60_000)
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.reconciliation.run();
    } catch (error) {
      this.logger.error({ err: error }, 'payment reconciliation failed');
    } finally {
      this.running = false;
    }
  }
}
