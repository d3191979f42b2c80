import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { parseKenyanMobile, type PhoneProblem } from '../../common/phone';

const HINTS: Record<PhoneProblem | 'not_text', string> = {
  empty: 'is required: a Kenyan mobile number such as 0712345678',
  not_text: 'must be a string holding a Kenyan mobile number such as 0712345678',
  not_a_number: 'must be a Kenyan mobile number such as 0712345678 or +254712345678',
  not_kenyan:
    'must be a Kenyan (+254) mobile number: M-PESA cannot charge numbers from other countries',
  not_mobile: 'must be a Kenyan mobile number (07XX or 01XX), not a landline or short code',
};

function problemOf(value: unknown): PhoneProblem | 'not_text' | null {
  if (value === undefined || value === null) return 'empty';
  if (typeof value !== 'string') return 'not_text';
  const parsed = parseKenyanMobile(value);
  return parsed.ok ? null : parsed.problem;
}

/** A Kenyan mobile number in any common spelling; the message says what is wrong with it. */
export function IsKenyanMobile(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isKenyanMobile',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => problemOf(value) === null,
        // Never echo the value: error bodies can end up in client-side logs.
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'phone'} ${HINTS[problemOf(args?.value) ?? 'not_a_number']}`,
      },
    });
  };
}
