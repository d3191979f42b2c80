import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SANDBOX_DEFAULTS } from '../../config/sandbox-defaults';
import { metaWebhookSignature } from './meta-webhook-signature';

/** Like Meta, a webhook not answered 200 is tried again (here a few times, quickly). */
export const WEBHOOK_RETRY_DELAYS_MS = [250, 1_000, 3_000];
const WEBHOOK_TIMEOUT_MS = 5_000;
/** Meta's documentation test number: what `metadata.display_phone_number` shows. */
export const SIMULATED_BUSINESS_NUMBER = '15550783881';
const SIMULATED_WABA_ID = '102290129340398';

export type WebhookAnswer = number | 'network-error';

/**
 * Posts webhooks to the app in Meta's envelope, authenticated as the configured provider does
 * (Meta: X-Hub-Signature-256; 360dialog: the X-Webhook-Secret header). Timers die with the
 * module so a closing app gets no late posts.
 */
@Injectable()
export class WhatsAppWebhookSender implements OnModuleDestroy {
  private readonly logger = new Logger(WhatsAppWebhookSender.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly config: AppConfig) {}

  onModuleDestroy(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Resolves after `ms`, or never if the module closes first (the chain just stops). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.closed) resolve();
      }, ms);
      timer.unref();
      this.timers.add(timer);
    });
  }

  /** The `value` of one change, wrapped in Meta's envelope. */
  envelope(value: Record<string, unknown>): Record<string, unknown> {
    return {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: SIMULATED_WABA_ID,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: {
                  display_phone_number: SIMULATED_BUSINESS_NUMBER,
                  phone_number_id: this.config.whatsapp.phoneId || SANDBOX_DEFAULTS.wabaPhoneId,
                },
                ...value,
              },
            },
          ],
        },
      ],
    };
  }

  /** One attempt now; on failure the retries continue in the background. */
  async post(body: Record<string, unknown>, attempt = 0): Promise<WebhookAnswer> {
    if (this.closed) return 'network-error';
    const raw = JSON.stringify(body);
    let answer: WebhookAnswer;
    try {
      const res = await fetch(`${this.config.selfUrl}/whatsapp/webhook`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...this.authHeaders(raw) },
        body: raw,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      answer = res.status;
    } catch {
      answer = 'network-error';
    }
    const retryIn = WEBHOOK_RETRY_DELAYS_MS[attempt];
    // 4xx other than 429 will not change on a retry (e.g. the webhook route is not mounted).
    const retry =
      answer === 'network-error' || answer === 429 || answer >= 500 ? retryIn : undefined;
    if (answer !== 200 && retry !== undefined && !this.closed) {
      this.logger.warn({
        msg: 'sandbox WhatsApp webhook not accepted, will retry',
        answer,
        attempt,
      });
      void this.sleep(retry).then(() => this.post(body, attempt + 1));
    }
    return answer;
  }

  private authHeaders(raw: string): Record<string, string> {
    const { provider, appSecret, webhookSecret } = this.config.whatsapp;
    switch (provider) {
      case 'meta':
        return { 'X-Hub-Signature-256': metaWebhookSignature(raw, appSecret) };
      case '360dialog':
        return { 'X-Webhook-Secret': webhookSecret };
    }
  }
}
