import type { Locale } from '../../config/app-config';
import type { BadPhoneReason, FieldProblem, InvalidCommand } from './problems';
import { type Say, say } from '../messaging/reply';
import type { MessageKey } from './catalogue';
import { renderText } from './render-reply';

/** The guided-flow step a field problem came from; it decides which example is shown. */
export type FlowStep = 'customer' | 'name' | 'amount' | 'description';

type ProblemKey = Extract<MessageKey, `err_${string}`>;

const BAD_PHONE_KEYS: Record<BadPhoneReason, ProblemKey> = {
  not_kenyan: 'err_bad_phone_not_kenyan',
  not_mobile: 'err_bad_phone_not_mobile',
  not_a_number: 'err_bad_phone_not_a_number',
};

function fieldProblemKey(problem: FieldProblem): ProblemKey {
  switch (problem.problem) {
    case 'missing_customer':
      return 'err_missing_customer';
    case 'bad_phone':
      return BAD_PHONE_KEYS[problem.reason];
    case 'bad_name':
      return 'err_bad_name';
    case 'missing_amount':
      return 'err_missing_amount';
    case 'bad_amount':
      return 'err_bad_amount';
    case 'amount_not_whole':
      return 'err_amount_not_whole';
    case 'amount_too_small':
      return 'err_amount_too_small';
    case 'amount_too_large':
      return 'err_amount_too_large';
    case 'missing_description':
      return 'err_missing_description';
    case 'description_too_short':
      return 'err_description_too_short';
    case 'description_too_long':
      return 'err_description_too_long';
  }
}

/** The reply to a command the parser refused: what was wrong and a command that would work. */
export function invalidCommandSay(invalid: InvalidCommand): Say {
  switch (invalid.command) {
    case 'invoice': {
      const example = say(
        invalid.problem === 'bad_name' ? 'example_invoice_name' : 'example_invoice',
      );
      return { say: fieldProblemKey(invalid), values: { example: { text: example } } };
    }
    case 'lang':
      return say('err_bad_language');
    case 'remind':
    case 'cancel':
    case 'status':
    case 'pay': {
      const example = say('example_ref', { command: invalid.command });
      return say(invalid.problem === 'missing_ref' ? 'err_missing_ref' : 'err_bad_ref', {
        example: { text: example },
      });
    }
  }
}

export function invalidCommandReply(locale: Locale, invalid: InvalidCommand): string {
  return renderText(locale, invalidCommandSay(invalid));
}

const STEP_EXAMPLE: Record<
  FlowStep,
  'example_customer' | 'example_name' | 'example_amount' | 'example_description'
> = {
  customer: 'example_customer',
  name: 'example_name',
  amount: 'example_amount',
  description: 'example_description',
};

/** The re-prompt for a bad answer in the guided flow: what was wrong, and an answer that fits. */
export function fieldProblemSay(problem: FieldProblem, step: FlowStep): Say {
  return { say: fieldProblemKey(problem), values: { example: { text: say(STEP_EXAMPLE[step]) } } };
}

export function fieldProblemReply(locale: Locale, problem: FieldProblem, step: FlowStep): string {
  return renderText(locale, fieldProblemSay(problem, step));
}
