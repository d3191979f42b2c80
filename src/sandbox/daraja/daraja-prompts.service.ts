import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { ConflictError, DomainError, NotFoundError } from '../../common/http/domain-error';
import { maskPhone } from '../../common/logging/redact';
import { parseKenyanMobile, toDarajaMsisdn } from '../../common/phone';
import { stkCallbackJson } from './daraja-callback.builder';
import { DarajaCallbackSender } from './daraja-callback.sender';
import { mpesaReceipt } from './daraja-sim-ids';
import {
  type FinalResult,
  magicOutcome,
  outcomeForAction,
  resultFor,
  RESULTS,
} from './daraja-sim-outcomes';
import { DarajaSimState } from './daraja-sim.state';
import type {
  OutcomePlan,
  PromptAction,
  QueuedOutcome,
  SimOutcome,
  SimPush,
} from './daraja-simulator.types';

/**
 * The life of a simulated STK prompt after Daraja accepted it: how it will end (queued plan,
 * magic amount, default), when (auto delay, or a person answering on the sandbox page), and the
 * callback(s) it POSTs when it ends.
 */
@Injectable()
export class DarajaPromptsService {
  private readonly logger = new Logger('DarajaSimulator');

  constructor(
    private readonly state: DarajaSimState,
    private readonly sender: DarajaCallbackSender,
  ) {}

  enqueue(request: QueuedOutcome): QueuedOutcome[] {
    let phone: string | undefined;
    if (request.phone !== undefined) {
      const parsed = parseKenyanMobile(request.phone);
      if (!parsed.ok) {
        throw new DomainError(
          'invalid_phone',
          'phone is not a Kenyan mobile',
          HttpStatus.BAD_REQUEST,
        );
      }
      phone = toDarajaMsisdn(parsed.phone);
    }
    this.state.queue.push({ ...request, phone });
    return this.state.queue;
  }

  planFor(phone: string, amount: number): OutcomePlan {
    const { settings } = this.state;
    const queued = this.state.takeQueued(phone);
    if (queued) {
      return {
        outcome: queued.outcome,
        delayMs: queued.delayMs ?? settings.defaultDelayMs,
        mode: queued.mode ?? settings.mode,
        amount: queued.amount,
        phoneForm: queued.phoneForm,
        source: 'queued',
      };
    }
    const magic = magicOutcome(amount);
    return {
      outcome: magic ?? settings.defaultOutcome,
      delayMs: settings.defaultDelayMs,
      mode: settings.mode,
      source: magic ? 'magic_amount' : 'default',
    };
  }

  /**
   * Sets the accepted prompt going. Resolves once the push may be answered: immediately, except
   * for callback_before_response, where the callback is delivered first.
   */
  async start(push: SimPush): Promise<void> {
    const { plan } = push;
    // Paybill with PartyB other than the shortcode: accepted now, fails later, as on Daraja.
    if (
      push.transactionType === 'CustomerPayBillOnline' &&
      push.partyB !== push.businessShortCode
    ) {
      this.state.schedule(push.checkoutRequestId, plan.delayMs, () =>
        this.finalize(push, RESULTS.notPermitted, plan.outcome),
      );
      return;
    }
    if (plan.mode === 'interactive') {
      this.state.schedule(push.checkoutRequestId, this.state.settings.promptTimeoutMs, () =>
        this.finalize(push, RESULTS.unreachable, 'unreachable'),
      );
      return;
    }
    if (plan.outcome === 'callback_before_response') {
      await this.finalize(push, resultFor(plan.outcome), plan.outcome);
      return;
    }
    this.state.schedule(push.checkoutRequestId, plan.delayMs, () =>
      this.finalize(push, resultFor(plan.outcome), plan.outcome),
    );
  }

  /** A person (or a test) answers the prompt on the phone. */
  async respond(checkoutRequestId: string, action: PromptAction, delayMs = 0): Promise<SimPush> {
    const push = this.state.pushes.get(checkoutRequestId);
    if (!push) throw new NotFoundError('STK prompt');
    if (push.status !== 'pending') {
      throw new ConflictError('prompt_not_pending', 'This prompt has already ended');
    }
    const outcome = outcomeForAction(action, push.plan.outcome);
    this.state.cancelTimer(checkoutRequestId);
    if (delayMs > 0) {
      this.state.schedule(checkoutRequestId, delayMs, () =>
        this.finalize(push, resultFor(outcome), outcome),
      );
    } else {
      await this.finalize(push, resultFor(outcome), outcome);
    }
    return push;
  }

  /** Ends the prompt, frees the subscriber and POSTs the callback(s) the outcome calls for. */
  async finalize(push: SimPush, result: FinalResult, outcome: SimOutcome): Promise<void> {
    if (push.status === 'final') return;
    this.state.cancelTimer(push.checkoutRequestId);
    push.status = 'final';
    push.resultCode = result.resultCode;
    push.resultDesc = result.resultDesc;
    push.finalAt = new Date().toISOString();
    if (result.resultCode === 0) {
      push.receipt = mpesaReceipt();
      push.paidAmount = push.plan.amount ?? paidAmount(push.amount, outcome);
    }
    if (this.state.locks.get(push.phone) === push.checkoutRequestId) {
      this.state.locks.delete(push.phone);
    }

    const copies = outcome === 'no_callback' ? 0 : outcome === 'duplicate_callbacks' ? 3 : 1;
    // Built once: duplicates are byte-identical, as real repeats are.
    const json = stkCallbackJson(push, this.state.settings.amountForm);
    for (let copy = 1; copy <= copies; copy++) {
      const delivery = await this.sender.post(push.callbackUrl, json);
      this.state.recordCallback({
        checkoutRequestId: push.checkoutRequestId,
        resultCode: result.resultCode,
        copy,
        at: new Date().toISOString(),
        ...delivery,
      });
    }
    this.logger.log(
      {
        checkoutRequestId: push.checkoutRequestId,
        phone: maskPhone(push.phone),
        resultCode: result.resultCode,
        callbacks: copies,
      },
      'Simulated STK prompt ended',
    );
  }
}

function paidAmount(requested: number, outcome: SimOutcome): number {
  return outcome === 'partial_amount' ? Math.max(1, Math.floor(requested / 2)) : requested;
}
