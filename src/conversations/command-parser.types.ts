import type { Locale } from '../config/app-config';
import type { FieldProblem, InvalidCommand } from '../common/i18n/problems';
import type { KenyanMobile } from '../common/phone';

/** Who an invoice is for, as the merchant typed it: a number, or a saved customer's name. */
export type CustomerRef = { kind: 'phone'; phone: KenyanMobile } | { kind: 'name'; name: string };

export type {
  AmountProblem,
  BadPhoneReason,
  CustomerProblem,
  DescriptionProblem,
  FieldProblem,
  FieldProblemCode,
  InvalidCommand,
  ProblemCode,
  RefCommand,
} from '../common/i18n/problems';

export type FieldResult<T> = ({ ok: true } & T) | ({ ok: false } & FieldProblem);

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
