import type { Locale } from '../config/app-config';
import {
  isCurrencyWord,
  looksLikeAmount,
  normalizeText,
  parseAmount,
  parseDescription,
  readCustomer,
  stripTrailing,
  stripTrailingPunctuation,
} from './command-parser.fields';
import type { ParsedCommand, RefCommand } from './command-parser.types';

export * from './command-parser.types';
export {
  normalizeText,
  stripTrailing,
  parseAmount,
  parseCustomerRef,
  parseDescription,
  parseName,
  parseOptionalName,
  parseYesNo,
  DESCRIPTION_MAX,
  DESCRIPTION_MIN,
  NAME_MAX,
} from './command-parser.fields';

/**
 * Refs are `INV-` plus a 4–12 character code, shown upper case (INV-7KQ2MX). People also type
 * inv-7kq2mx, INV 7KQ2MX, #INV-7KQ2MX or INV7KQ2MX. Without a separator the code must hold a
 * digit, otherwise words like "invoice" would read as INV-OICE. A bare code (7KQ2MX) is refused:
 * "cancel everything" must not become a lookup.
 */
const REF = /^#?inv([-_\u2010-\u2015 ]?)([a-z0-9]{4,12})$/i;

export function parseInvoiceRef(text: string): string | null {
  const match = REF.exec(stripTrailing(normalizeText(text), '.,!?'));
  if (!match) return null;
  const [, separator = '', code = ''] = match;
  if (separator === '' && !/\d/.test(code)) return null;
  return `INV-${code.toUpperCase()}`;
}

const LANGUAGES: Record<string, Locale> = {
  en: 'en',
  eng: 'en',
  english: 'en',
  kiingereza: 'en',
  sw: 'sw',
  swa: 'sw',
  swahili: 'sw',
  kiswahili: 'sw',
};

const UNKNOWN: ParsedCommand = { type: 'unknown' };

/**
 * Reads one inbound text as a command. Case and spacing never matter; problems come back as
 * `{ type: 'invalid', command, problem }` values so every one gets its own reply. Swahili
 * aliases: ankara (invoice), ankara mpya, kumbusha, ghairi, orodha,
 * wateja, lugha, msaada, rudi, lipa, jisajili.
 */
export function parseCommand(text: string): ParsedCommand {
  const normalized = normalizeText(text);
  if (normalized === '') return UNKNOWN;
  const [rawHead = '', ...rawRest] = normalized.split(' ');
  const head = rawHead.toLowerCase().replace(/:$/, '');

  // The description keeps its punctuation, so the invoice line is read before any trimming.
  if (head === 'invoice' || head === 'ankara') {
    if (rawRest.length === 0) return { type: 'start_invoice' };
    if (rawRest.length === 1 && /^(?:new|mpya)[.!]?$/i.test(rawRest[0] ?? ''))
      return { type: 'start_invoice' };
    return parseInvoiceLine(rawRest);
  }

  // Trailing punctuation and the space before it ("help ." is "help").
  const unpunctuated = stripTrailing(normalized, '.!?');
  const bare = unpunctuated === normalized ? normalized : unpunctuated.trimEnd();
  const words = bare === '' ? [] : bare.split(' ');
  const keyword = (words[0] ?? '').toLowerCase().replace(/:$/, '');
  const rest = words.slice(1).join(' ');
  const whole = bare.toLowerCase();

  if (whole === 'new invoice' || whole === 'ankara mpya') return { type: 'start_invoice' };
  if (normalized === '?') return { type: 'help' };

  switch (keyword) {
    case 'help':
    case 'msaada':
      return { type: 'help' };
    case 'remind':
    case 'kumbusha':
      return refCommand('remind', rest);
    case 'status':
      return refCommand('status', rest);
    case 'cancel':
    case 'ghairi':
      return rest === '' ? { type: 'cancel' } : refCommand('cancel', rest);
    case 'pay':
    case 'lipa':
      return rest === '' ? { type: 'pay', ref: null } : refCommand('pay', rest);
    case 'lang':
    case 'language':
    case 'lugha': {
      const locale = LANGUAGES[rest.toLowerCase()];
      return locale
        ? { type: 'lang', locale }
        : { type: 'invalid', command: 'lang', problem: 'bad_language' };
    }
    case 'stop':
      return { type: 'stop' };
    default:
      break;
  }

  switch (whole) {
    case 'list':
    case 'orodha':
      return { type: 'list' };
    case 'customers':
    case 'wateja':
      return { type: 'customers' };
    case 'back':
    case 'rudi':
      return { type: 'back' };
    case 'register':
    case 'jisajili':
      return { type: 'register' };
    default:
      return UNKNOWN;
  }
}

function refCommand(command: RefCommand, rest: string): ParsedCommand {
  if (rest === '') return { type: 'invalid', command, problem: 'missing_ref' };
  const ref = parseInvoiceRef(rest);
  if (ref === null) return { type: 'invalid', command, problem: 'bad_ref' };
  switch (command) {
    case 'remind':
      return { type: 'remind', ref };
    case 'cancel':
      return { type: 'cancel_invoice', ref };
    case 'status':
      return { type: 'status', ref };
    case 'pay':
      return { type: 'pay', ref };
  }
}

/** `<phone_or_name> <amount> <description…>`, problems reported left to right. */
function parseInvoiceLine(words: string[]): ParsedCommand {
  const customer = readCustomer(words);
  if (!customer.ok) {
    const { ok: _ok, ...problem } = customer;
    return { type: 'invalid', command: 'invoice', ...problem };
  }

  const [rawFirst, rawSecond, ...after] = customer.rest;
  const first = rawFirst === undefined ? undefined : stripTrailingPunctuation(rawFirst);
  const second = rawSecond === undefined ? undefined : stripTrailingPunctuation(rawSecond);
  if (first === undefined || !looksLikeAmount(first))
    return { type: 'invalid', command: 'invoice', problem: 'missing_amount' };

  // "KES 1500" is two words; "1500 KES" may be too.
  let amountText = first;
  let remaining = [rawSecond, ...after].filter((w): w is string => w !== undefined);
  if (isCurrencyWord(first) && second !== undefined) {
    amountText = `${first} ${second}`;
    remaining = after;
  }
  if (
    remaining[0] !== undefined &&
    /^(?:kshs?|kes)\.?$/i.test(stripTrailingPunctuation(remaining[0]))
  )
    remaining = remaining.slice(1);

  const amount = parseAmount(amountText);
  if (!amount.ok) return { type: 'invalid', command: 'invoice', problem: amount.problem };

  const description = parseDescription(remaining.join(' '));
  if (!description.ok) return { type: 'invalid', command: 'invoice', problem: description.problem };

  return {
    type: 'invoice',
    customer: customer.customer,
    amount: amount.amount,
    description: description.description,
  };
}
