/**
 * What can be wrong with a command or an invoice field, as the parser reports it and the
 * catalogue says it (problem-messages.ts). Pure types at the bottom, so the conversation
 * machine and the renderers can name a problem without importing the bot.
 */
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

/** Commands that take an invoice ref. */
export type RefCommand = 'remind' | 'cancel' | 'status' | 'pay';

export type InvalidCommand =
  | ({ type: 'invalid'; command: 'invoice' } & FieldProblem)
  | { type: 'invalid'; command: RefCommand; problem: 'missing_ref' | 'bad_ref' }
  | { type: 'invalid'; command: 'lang'; problem: 'bad_language' };

export type ProblemCode = InvalidCommand['problem'];
