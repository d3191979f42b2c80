import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { retryOnConnectionLoss } from '../database/connection-loss';
import { queryRows } from '../database/sql';
import { Clock } from '../runtime/clock';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { lockCheckout } from './checkout-lock';
import { parseStkCallback } from './mpesa/daraja-result-codes';
import { PaymentResultsService, toFinalResult } from './payment-results.service';
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
        manager.query(
          `INSERT INTO inbound_events (provider, external_id, payload, received_at, processed_at)
           VALUES ('mpesa', $1, $2, $3, $3) ON CONFLICT (provider, external_id) DO NOTHING`,
          [`malformed:${digest}`, payload, now],
        ),
      );
      this.logger.warn('malformed STK callback recorded and ignored');
      return 'malformed';
    }

    const outcome = await this.signals.transaction(async (manager) => {
      await lockCheckout(manager, callback.checkoutRequestId);
      const inserted = await queryRows<{ id: string }>(
        manager,
        `INSERT INTO inbound_events (provider, external_id, payload, received_at)
         VALUES ('mpesa', $1, $2, $3) ON CONFLICT (provider, external_id) DO NOTHING RETURNING id`,
        [`${callback.checkoutRequestId}:${callback.rawResultCode}`, body, now],
      );
      if (inserted.length === 0) return 'duplicate' as const;
      const [payment] = await queryRows<{ id: string }>(
        manager,
        `SELECT id FROM payments WHERE checkout_request_id = $1`,
        [callback.checkoutRequestId],
      );
      if (!payment) {
        // A push whose answer was lost (the process died, or the answer never came) may own it;
        // otherwise it waits, unprocessed, for the push's answer, the poller and reconciliation.
        const match = await this.orphans.matchCallback(
          manager,
          { id: inserted[0].id, receivedAt: now },
          callback,
        );
        return match === 'none' ? ('unmatched' as const) : match;
      }
      const applied = await this.results.applyFinalResult(
        payment.id,
        toFinalResult(callback),
        SOURCE,
        manager,
      );
      await manager.query(`UPDATE inbound_events SET processed_at = $2 WHERE id = $1`, [
        inserted[0].id,
        now,
      ]);
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
