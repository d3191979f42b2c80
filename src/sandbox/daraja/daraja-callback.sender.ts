import { Injectable, Logger } from '@nestjs/common';
import { redactUrl } from '../../common/logging/redact';

export interface CallbackDelivery {
  ok: boolean;
  status?: number;
  error?: string;
}

const CALLBACK_TIMEOUT_MS = 10_000;

/**
 * POSTs a callback like Safaricom does: JSON, no auth header, no signature, no retries.
 * A failure is logged (URL with its secret redacted) and otherwise ignored.
 */
@Injectable()
export class DarajaCallbackSender {
  private readonly logger = new Logger('DarajaSimulator');

  async post(url: string, json: string): Promise<CallbackDelivery> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: json,
        signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      if (!response.ok) {
        this.logger.warn({ url: safeUrl(url), status: response.status }, 'STK callback refused');
      }
      return { ok: response.ok, status: response.status };
    } catch (error) {
      const detail = error instanceof Error ? error.message : 'unknown error';
      this.logger.warn({ url: safeUrl(url), error: detail }, 'STK callback not delivered');
      return { ok: false, error: detail };
    }
  }
}

function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${redactUrl(parsed.pathname)}`;
  } catch {
    return '[unparseable url]';
  }
}
