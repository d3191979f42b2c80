import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';

/** Like AT, a callback that is not answered 2xx is tried again a few times, then dropped. */
export const CALLBACK_RETRY_DELAYS_MS = [250, 1_000, 3_000];
const CALLBACK_TIMEOUT_MS = 5_000;

export type CallbackAnswer = number | 'network-error';

/**
 * Posts form-urlencoded callbacks (delivery reports, inbound SMS) to the app, as AT does,
 * with AT-like retries. Timers die with the module so a closing app gets no late posts.
 */
@Injectable()
export class AfricasTalkingCallbackSender implements OnModuleDestroy {
  private readonly logger = new Logger(AfricasTalkingCallbackSender.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  onModuleDestroy(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Runs `task` after `delayMs` unless the module is closing. */
  later(delayMs: number, task: () => Promise<unknown>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) void task().catch(() => undefined);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** One attempt now; on failure the retries continue in the background. */
  async post(url: string, fields: Record<string, string>, attempt = 0): Promise<CallbackAnswer> {
    if (this.closed) return 'network-error';
    let answer: CallbackAnswer;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      answer = res.status;
    } catch {
      answer = 'network-error';
    }
    const ok = typeof answer === 'number' && answer >= 200 && answer < 300;
    const retryIn = CALLBACK_RETRY_DELAYS_MS[attempt];
    if (!ok && retryIn !== undefined) {
      this.logger.warn({ msg: 'sandbox AT callback not accepted, will retry', answer, attempt });
      this.later(retryIn, () => this.post(url, fields, attempt + 1));
    }
    return answer;
  }
}
