import { MAX_AMOUNT, MIN_AMOUNT } from '../common/money';
import { parseKenyanMobile, type KenyanMobile } from '../common/phone';
import type {
  AmountProblem,
  BadPhoneReason,
  CustomerProblem,
  CustomerRef,
  DescriptionProblem,
} from './command-parser.types';

export const DESCRIPTION_MIN = 3;
export const DESCRIPTION_MAX = 120;
export const NAME_MAX = 40;

type Result<T, P> = ({ ok: true } & T) | ({ ok: false } & P);

/**
 * WhatsApp and phone keyboards insert NBSP, narrow NBSP, zero-width joiners and full-width
 * digits; NFKC folds the look-alikes and the rest are dropped so rules see plain text.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * `text` without the run of `chars` at its end. A loop rather than `/[…]+$/`: a regular
 * expression tries that match from every position of a long run that does not reach the end,
 * which is quadratic (seconds of a blocked event loop on a 20,000-character message).
 */
export function stripTrailing(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1])) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Code points, so an emoji counts as one character as people see it. */
export function charLength(text: string): number {
  return [...text].length;
}

// ---------------------------------------------------------------- amount

const CURRENCY_WORD = /^(?:kshs?|kes|shs?)\.?$/i;
const CURRENCY_PREFIX = /^(?:kshs?|kes|shs?)\.?\s*/i;
const CURRENCY_SUFFIX = /(?:\/=|\/-|\s*(?:kshs?|kes|shs?)\.?)$/i;
const NUMBER = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(k?)$/i;

/** True when the word is a bare currency word such as `KES`, `Ksh.` or `sh`. */
export function isCurrencyWord(word: string): boolean {
  return CURRENCY_WORD.test(word);
}

/**
 * Whole shillings, 1 … 250,000. Accepts 1500, 1,500, KES 1500, KES1500, ksh1500, Ksh 1,500,
 * sh 1500, 1500/=, 1500 ksh, 1.5k, 2k, 1500.00. Thousands separators must be real groups of
 * three (`15,00` is refused rather than guessed). Decimals are exact: 1.25k is 1250, 1.5 is
 * not whole.
 */
export function parseAmount(text: string): Result<{ amount: number }, AmountProblem> {
  const raw = normalizeText(text);
  if (raw === '') return { ok: false, problem: 'missing_amount' };
  const body = raw.replace(CURRENCY_PREFIX, '').replace(CURRENCY_SUFFIX, '').trim();
  if (body === '') return { ok: false, problem: 'missing_amount' };
  const match = NUMBER.exec(body);
  if (!match) return { ok: false, problem: 'bad_amount' };
  const [, intPart = '', fracPart = '', k = ''] = match;
  const scale = 10n ** BigInt(fracPart.length);
  const multiplier = k === '' ? 1n : 1000n;
  const scaled = (BigInt(intPart.replace(/,/g, '')) * scale + BigInt(fracPart || '0')) * multiplier;
  if (scaled % scale !== 0n) return { ok: false, problem: 'amount_not_whole' };
  const whole = scaled / scale;
  if (whole < BigInt(MIN_AMOUNT)) return { ok: false, problem: 'amount_too_small' };
  if (whole > BigInt(MAX_AMOUNT)) return { ok: false, problem: 'amount_too_large' };
  return { ok: true, amount: Number(whole) };
}

/** Does this word start an amount (so a problem with it is a bad amount, not a missing one)? */
export function looksLikeAmount(word: string): boolean {
  return /^[-+.]?\d/.test(word) || /^(?:kshs?|kes|shs?)\.?\d/i.test(word) || isCurrencyWord(word);
}

// ----------------------------------------------------------- description

/** The rest of the line, trimmed, 3–120 characters; a leading dash or colon is dropped. */
export function parseDescription(
  text: string,
): Result<{ description: string }, DescriptionProblem> {
  const description = normalizeText(text)
    .replace(/^[-\u2013\u2014:;,]+\s*/, '')
    .trim();
  if (description === '') return { ok: false, problem: 'missing_description' };
  const length = charLength(description);
  if (length < DESCRIPTION_MIN) return { ok: false, problem: 'description_too_short' };
  if (length > DESCRIPTION_MAX) return { ok: false, problem: 'description_too_long' };
  return { ok: true, description };
}

// -------------------------------------------------------------- customer

const NAME = /^[\p{L}\p{M}][\p{L}\p{M}\p{N}'\u2019.&_ -]*$/u;
const PHONE_ANSWER = /^\+?[\d\s-]+$/;
const QUOTES = /^["\u201C\u201D'\u2018\u2019](.*)["\u201C\u201D'\u2018\u2019]$/u;

/** A customer name: starts with a letter, then letters, digits, spaces, . ' - & _; ≤ 40 chars. */
export function parseName(text: string): Result<{ name: string }, { problem: 'bad_name' }> {
  const name = normalizeText(text);
  if (name === '' || charLength(name) > NAME_MAX || !NAME.test(name))
    return { ok: false, problem: 'bad_name' };
  return { ok: true, name };
}

function phoneResult(text: string): Result<{ customer: CustomerRef }, CustomerProblem> {
  const parsed = parseKenyanMobile(text);
  if (parsed.ok) return { ok: true, customer: { kind: 'phone', phone: parsed.phone } };
  if (parsed.problem === 'empty') return { ok: false, problem: 'missing_customer' };
  return { ok: false, problem: 'bad_phone', reason: parsed.problem };
}

/**
 * A whole answer in the guided flow: a Kenyan mobile in any common form, or a saved customer's
 * name (several words allowed here, quotes optional).
 */
export function parseCustomerRef(text: string): Result<{ customer: CustomerRef }, CustomerProblem> {
  const raw = normalizeText(text);
  if (raw === '') return { ok: false, problem: 'missing_customer' };
  if (PHONE_ANSWER.test(raw)) return phoneResult(raw);
  const unquoted = QUOTES.exec(raw)?.[1] ?? raw;
  const name = parseName(unquoted);
  return name.ok ? { ok: true, customer: { kind: 'name', name: name.name } } : name;
}

/** The optional-name step: `-` (or skip / ruka) means no name. */
export function parseOptionalName(
  text: string,
): Result<{ name: string | null }, { problem: 'bad_name' }> {
  const raw = normalizeText(text);
  if (/^(?:-+|skip|ruka|none|hakuna)$/i.test(raw)) return { ok: true, name: null };
  const unquoted = QUOTES.exec(raw)?.[1] ?? raw;
  return parseName(unquoted);
}

/** Yes / no answers, e.g. to "replace your unfinished invoice?" over SMS. */
export function parseYesNo(text: string): 'yes' | 'no' | null {
  const raw = stripTrailing(normalizeText(text).toLowerCase(), '.!');
  if (/^(?:y|yes|yeah|ok|okay|sawa|ndio|ndiyo|naam)$/.test(raw)) return 'yes';
  if (/^(?:n|no|nope|hapana|la)$/.test(raw)) return 'no';
  return null;
}

// -------------------------------------------------- customer in a command

/** Digits and dashes with at least one digit, in two linear tests (one pattern backtracks). */
const isPhoneWord = (word: string): boolean => /^\+?[\d-]+$/.test(word) && /\d/.test(word);
/** +254 7xx xxx xxx is 12 digits; some people also keep the 0: +254 07xx… (13). */
const MAX_PHONE_DIGITS = 13;
const MIN_PHONE_DIGITS = 9;

const digitCount = (s: string): number => s.replace(/\D/g, '').length;

/** "0712345678, 1500, Logo": separators people type between fields. */
export function stripTrailingPunctuation(word: string): string {
  return stripTrailing(word, ',;:');
}

export type CustomerInCommand =
  { ok: true; customer: CustomerRef; rest: string[] } | ({ ok: false } & CustomerProblem);

/**
 * Reads the customer from the front of the words after `invoice`. A phone may be split by
 * spaces (0712 345 678), so the longest run of number-like words that is a Kenyan mobile wins;
 * the amount that follows can never join it because a mobile plus any amount has too many
 * digits. A name is one word, or several in quotes: "Mary Wanjiku".
 */
export function readCustomer(words: string[]): CustomerInCommand {
  const first = words[0] === undefined ? undefined : stripTrailingPunctuation(words[0]);
  if (first === undefined) return { ok: false, problem: 'missing_customer' };

  const quote = /^["\u201C\u201D]/.exec(first);
  if (quote) return readQuotedName(words);

  if (isPhoneWord(first)) return readPhone(words.map(stripTrailingPunctuation), words);

  if (isCurrencyWord(first) || parseAmount(first).ok)
    return { ok: false, problem: 'missing_customer' };
  const name = parseName(first);
  if (!name.ok) return name;
  return { ok: true, customer: { kind: 'name', name: name.name }, rest: words.slice(1) };
}

function readQuotedName(words: string[]): CustomerInCommand {
  const joined = words.join(' ');
  const match = /^["\u201C\u201D]([^"\u201C\u201D]*)["\u201C\u201D][,;:]*(?:\s|$)/u.exec(joined);
  if (!match) return { ok: false, problem: 'bad_name' };
  const inner = match[1] ?? '';
  const name = parseName(inner);
  if (!name.ok) return name;
  const rest = joined.slice(match[0].length).trim();
  return {
    ok: true,
    customer: { kind: 'name', name: name.name },
    rest: rest === '' ? [] : rest.split(' '),
  };
}

function readPhone(words: string[], original: string[]): CustomerInCommand {
  const run: string[] = [];
  for (const word of words) {
    if (!isPhoneWord(word)) break;
    run.push(word);
    if (digitCount(run.join('')) > MAX_PHONE_DIGITS) break;
  }
  for (let i = run.length; i >= 1; i--) {
    const candidate = run.slice(0, i).join(' ');
    if (digitCount(candidate) > MAX_PHONE_DIGITS) continue;
    const parsed = parseKenyanMobile(candidate);
    if (parsed.ok)
      return {
        ok: true,
        customer: { kind: 'phone', phone: parsed.phone },
        rest: original.slice(i),
      };
  }

  const first = words[0] ?? '';
  const phoneAttempt = /^(?:\+|0|254)/.test(first) || digitCount(first) >= 7;
  // A short plain number first ("invoice 1500 Logo") is the amount: the customer was left out.
  if (!phoneAttempt) return { ok: false, problem: 'missing_customer' };
  return { ok: false, problem: 'bad_phone', reason: badPhoneReason(run) };
}

/** The reason from the shortest run that is long enough to be a phone, so the amount never counts. */
function badPhoneReason(run: string[]): BadPhoneReason {
  let candidate = run[0] ?? '';
  for (let i = 1; i <= run.length; i++) {
    const joined = run.slice(0, i).join(' ');
    if (digitCount(joined) >= MIN_PHONE_DIGITS) {
      candidate = joined;
      break;
    }
  }
  // A Kenyan number has 9 digits after the 0 or 254; libphonenumber calls a short 07… "not mobile".
  if (!candidate.startsWith('+') && digitCount(candidate.replace(/^(?:254|0)/, '')) !== 9)
    return 'not_a_number';
  const parsed = parseKenyanMobile(candidate);
  return parsed.ok || parsed.problem === 'empty' ? 'not_a_number' : parsed.problem;
}

export type { KenyanMobile };
