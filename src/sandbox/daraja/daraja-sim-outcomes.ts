import type { PromptAction, SimOutcome } from './daraja-simulator.types';

export interface FinalResult {
  resultCode: number;
  resultDesc: string;
}

export const RESULTS = {
  success: { resultCode: 0, resultDesc: 'The service request is processed successfully.' },
  insufficient: { resultCode: 1, resultDesc: 'The balance is insufficient for the transaction.' },
  cancelled: { resultCode: 1032, resultDesc: 'Request cancelled by user' },
  unreachable: { resultCode: 1037, resultDesc: 'DS timeout user cannot be reached' },
  wrongPin: { resultCode: 2001, resultDesc: 'The initiator information is invalid.' },
  notPermitted: {
    resultCode: 2028,
    resultDesc: 'The request is not permitted according to product assignment',
  },
} satisfies Record<string, FinalResult>;

/** The final result an outcome produces (every success variant is ResultCode 0). */
export function resultFor(outcome: SimOutcome): FinalResult {
  switch (outcome) {
    case 'cancelled':
      return RESULTS.cancelled;
    case 'wrong_pin':
      return RESULTS.wrongPin;
    case 'insufficient_funds':
      return RESULTS.insufficient;
    case 'unreachable':
      return RESULTS.unreachable;
    case 'success':
    case 'no_callback':
    case 'duplicate_callbacks':
    case 'callback_before_response':
    case 'masked_phone':
    case 'partial_amount':
      return RESULTS.success;
  }
}

/** What the customer's answer on an interactive prompt turns into. */
export function outcomeForAction(action: PromptAction, planned: SimOutcome): SimOutcome {
  switch (action) {
    // Entering the PIN lets the planned outcome happen (success, or e.g. insufficient funds).
    case 'pin':
      return planned;
    case 'wrong_pin':
      return 'wrong_pin';
    case 'cancel':
      return 'cancelled';
    case 'timeout':
      return 'unreachable';
  }
}

/**
 * Fallback when no outcome was queued for a push: these exact amounts (KES) pick an outcome, so a
 * person on the sandbox page or a plain HTTP test can steer the simulator without the control API.
 * Mnemonic: the ResultCode itself where there is one. Every other amount uses the default outcome
 * (success, after 1.5 s). Documented in docs/SANDBOX-DARAJA.md.
 */
export const MAGIC_AMOUNTS: Readonly<Record<number, SimOutcome>> = {
  1032: 'cancelled',
  2001: 'wrong_pin',
  1037: 'unreachable',
  1111: 'insufficient_funds',
  4040: 'no_callback',
  3333: 'duplicate_callbacks',
  5050: 'callback_before_response',
  6060: 'masked_phone',
  8080: 'partial_amount',
};

export function magicOutcome(amount: number): SimOutcome | undefined {
  return MAGIC_AMOUNTS[amount];
}
