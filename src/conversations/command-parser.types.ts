import type { Locale } from '../config/app-config';
import type { KenyanMobile } from '../common/phone';

/** Who an invoice is for, as the merchant typed it: a number, or a saved customer's name. */
export type CustomerRef = { kind: 'phone'; phone: KenyanMobile } | { kind: 'name'; name: string };

export type BadPhoneReason = 'not_kenyan' | 'not_mobile' | 'not_a_number';

export type CustomerProblem =
  | { problem: 'missing_customer' }
  | { problem: 'bad_phone'; reason: BadPhoneReason }
  | { problem: 'bad_name' };

export type AmountProblem = {
  problem:
    'missing_amount' | 'bad_amount' | 'amount_not_whole' | 'amount_too_small' | 'amount_too_large';
};

export type DescriptionProblem = {
  problem: 'missing_description' | 'description_too_short' | 'description_too_long';
};

/** Any problem with one invoice field; the guided flow re-prompts with these. */
export type FieldProblem = CustomerProblem | AmountProblem | DescriptionProblem;
export type FieldProblemCode = FieldProblem['problem'];

export type FieldResult<T> = ({ ok: true } & T) | ({ ok: false } & FieldProblem);

/** Commands that take an invoice ref. */
export type RefCommand = 'remind' | 'cancel' | 'status' | 'pay';

export type InvalidCommand =
  | ({ type: 'invalid'; command: 'invoice' } & FieldProblem)
  | { type: 'invalid'; command: RefCommand; problem: 'missing_ref' | 'bad_ref' }
  | { type: 'invalid'; command: 'lang'; problem: 'bad_language' };

export type ProblemCode = InvalidCommand['problem'];

export type ParsedCommand =
  | { type: 'invoice'; customer: CustomerRef; amount: number; description: string }
  | { type: 'start_invoice' }
  | { type: 'remind'; ref: string }
  | { type: 'cancel_invoice'; ref: string }
  | { type: 'status'; ref: string }
  /** `cancel` alone: drop whatever flow is open. */
  | { type: 'cancel' }
  | { type: 'list' }
  | { type: 'customers' }
  | { type: 'lang'; locale: Locale }
  | { type: 'help' }
  | { type: 'back' }
  /** Customer side. `ref` is null for a bare `pay`: the glue picks the sender's open invoice. */
  | { type: 'pay'; ref: string | null }
  | { type: 'stop' }
  | { type: 'register' }
  | { type: 'unknown' }
  | InvalidCommand;
