import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { retryOnConnectionLoss } from '../database/connection-loss';
import { Clock } from '../runtime/clock';
import { InboundEventRepository } from '../runtime/inbound-event.repository';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { parseStkCallback } from './mpesa/daraja-result-codes';
import { PaymentResultsService, toFinalResult } from './payment-results.service';
import { PaymentRepository } from './payment.repository';
import { OrphanCallbackMatcher } from './orphan-callbacks.service';

export type CallbackOutcome =
  'applied' | 'matched' | 'review' | 'duplicate' | 'already_final' | 'unmatched' | 'malformed';

const SOURCE = 'webhook:mpesa';
/** Enough of an unreadable body to see what it was, without storing megabytes of it. */
const MAX_RAW_CHARS = 4_000;

/**
 * Records every STK callback in inbound_events (the dedupe ledger) and applies the ones that
 * match a stored push. Callbacks are hints that may be late, repeated or early; nothing here
 * throws at Daraja.
 */
@Injectable()
export class StkCallbackService {
  private readonly logger = new Logger(StkCallbackService.name);

  constructor(
    private readonly signals: RuntimeSignals,
    private readonly payments: PaymentRepository,
    private readonly inboundEvents: InboundEventRepository,
    private readonly results: PaymentResultsService,
    private readonly orphans: OrphanCallbackMatcher,
    private readonly clock: Clock,
  ) {}

  /**
   * `raw`: the bytes of a body that was not JSON at all, recorded instead as text, cut short and
   * without NUL characters (which jsonb refuses).
   */
  async receive(body: unknown, raw?: Buffer): Promise<CallbackOutcome> {
    // Daraja does not reliably send a callback again: ride out a short database outage rather
    // than answer 500 and lose what it says. Recording and applying it are idempotent.
    return retryOnConnectionLoss(() => this.record(body, raw), { budgetMs: 10_000 });
  }

  private async record(body: unknown, raw?: Buffer): Promise<CallbackOutcome> {
    const callback = parseStkCallback(body);
    const now = this.clock.now();
    if (!callback) {
      const payload = raw
        ? {
            body: null,
            raw: raw.toString('utf8').replaceAll('\u0000', '').slice(0, MAX_RAW_CHARS),
          }
        : { body: body ?? null };
      const digest = createHash('sha256')
        .update(raw ?? JSON.stringify(body ?? null))
        .digest('hex');
      await this.signals.transaction((manager) =>
        this.inboundEvents.insertOnce(manager, {
          provider: 'mpesa',
          externalId: `malformed:${digest}`,
          payload,
          receivedAt: now,
          processed: true,
        }),
      );
      this.logger.warn('malformed STK callback recorded and ignored');
      return 'malformed';
    }

    const outcome = await this.signals.transaction(async (manager) => {
      await this.payments.lockCheckout(manager, callback.checkoutRequestId);
      const eventId = await this.inboundEvents.insertOnce(manager, {
        provider: 'mpesa',
        externalId: `${callback.checkoutRequestId}:${callback.rawResultCode}`,
        payload: body,
        receivedAt: now,
      });
      if (eventId === null) return 'duplicate' as const;
      const paymentId = await this.payments.findIdByCheckoutRequestId(
        manager,
        callback.checkoutRequestId,
      );
      if (!paymentId) {
        // A push whose answer was lost (the process died, or the answer never came) may own it;
        // otherwise it waits, unprocessed, for the push's answer, the poller and reconciliation.
        const match = await this.orphans.matchCallback(
          manager,
          { id: eventId, receivedAt: now },
          callback,
        );
        return match === 'none' ? ('unmatched' as const) : match;
      }
      const applied = await this.results.applyFinalResult(
        manager,
        paymentId,
        toFinalResult(callback),
        SOURCE,
      );
      await this.inboundEvents.markProcessed(manager, eventId, now);
      return applied.applied ? ('applied' as const) : ('already_final' as const);
    });
    this.logger.log(
      {
        checkoutRequestId: callback.checkoutRequestId,
        resultCode: callback.rawResultCode,
        outcome,
      },
      'STK callback',
    );
    return outcome;
  }
}
