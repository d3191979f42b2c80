import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { WhatsAppWebhookService } from '../whatsapp/whatsapp-webhook.service';

/**
 * A status webhook can outrun the messages row of the message it is about (the simulator and
 * Meta both answer within milliseconds); it then waits unprocessed. This job hands such events
 * to the handler again, so a `failed` or `delivered` status is never lost to the policy.
 */
@Injectable()
export class WhatsAppReplayJob implements OnApplicationShutdown {
  private readonly logger = new Logger(WhatsAppReplayJob.name);
  private running = false;
  private stopped = false;

  constructor(private readonly webhooks: WhatsAppWebhookService) {}

  @Interval('whatsapp-webhook-replay', 5_000)
  async replay(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      await this.webhooks.replayUnprocessed({ olderThanMs: 3_000 });
    } catch (error) {
      this.logger.warn({ err: error }, 'WhatsApp webhook replay failed');
    } finally {
      this.running = false;
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }
}
