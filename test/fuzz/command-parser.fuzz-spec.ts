import fc from 'fast-check';
import {
  DESCRIPTION_MAX,
  DESCRIPTION_MIN,
  NAME_MAX,
  normalizeText,
  parseAmount,
  parseCommand,
  parseCustomerRef,
  parseDescription,
  parseInvoiceRef,
  parseName,
  parseOptionalName,
  parseYesNo,
  type ParsedCommand,
} from '../../src/conversations/command-parser';
import { MAX_AMOUNT, MIN_AMOUNT } from '../../src/common/money';
import { chatText, hugeString, nastyString, SPECIAL_PIECES } from './support/arbitraries';
import { fuzz } from './support/fuzz-run';

const TYPES = new Set<ParsedCommand['type']>([
  'invoice',
  'start_invoice',
  'remind',
  'cancel_invoice',
  'status',
  'cancel',
  'list',
  'customers',
  'lang',
  'help',
  'back',
  'pay',
  'stop',
  'register',
  'unknown',
  'invalid',
]);
const REF = /^INV-[A-Z0-9]{4,12}$/;
const PHONE = /^\+254[17]\d{8}$/;
const codePoints = (s: string): number => [...s].length;

/** What every parse result must look like, whatever the input. */
function checkWellFormed(result: ParsedCommand): void {
  expect(result).toBeDefined();
  expect(TYPES.has(result.type)).toBe(true);
  switch (result.type) {
    case 'invoice':
      expect(Number.isInteger(result.amount)).toBe(true);
      expect(result.amount).toBeGreaterThanOrEqual(MIN_AMOUNT);
      expect(result.amount).toBeLessThanOrEqual(MAX_AMOUNT);
      expect(codePoints(result.description)).toBeGreaterThanOrEqual(DESCRIPTION_MIN);
      expect(codePoints(result.description)).toBeLessThanOrEqual(DESCRIPTION_MAX);
      expect(result.description).toBe(result.description.trim());
      if (result.customer.kind === 'phone') expect(result.customer.phone).toMatch(PHONE);
      else expect(codePoints(result.customer.name)).toBeLessThanOrEqual(NAME_MAX);
      break;
    case 'remind':
    case 'cancel_invoice':
    case 'status':
      expect(result.ref).toMatch(REF);
      break;
    case 'pay':
      if (result.ref !== null) expect(result.ref).toMatch(REF);
      break;
    case 'lang':
      expect(['en', 'sw']).toContain(result.locale);
      break;
    case 'invalid':
      expect(typeof result.command).toBe('string');
      expect(typeof result.problem).toBe('string');
      break;
    case 'start_invoice':
    case 'cancel':
    case 'list':
    case 'customers':
    case 'help':
    case 'back':
    case 'stop':
    case 'register':
    case 'unknown':
      break;
  }
}

/** Lines from the command language, then mangled: any string at all is fair game. */
const anyLine = fc.oneof(
  { weight: 4, arbitrary: chatText },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 100 }) },
  { weight: 2, arbitrary: nastyString(200) },
);

const whitespace = fc.constantFrom(' ', '  ', '\t', '\u00a0', '\u3000', ' \n ', '\u2003');

describe('bot command parser (pure properties)', () => {
  it('never throws and always answers a well-formed command for any string', async () => {
    await fuzz(
      'parser: any string',
      fc.property(anyLine, (text) => {
        checkWellFormed(parseCommand(text));
      }),
      2_500,
    );
  });

  it('does not care about case of the command word or about spacing', async () => {
    await fuzz(
      'parser: spacing and case',
      fc.property(
        chatText,
        whitespace,
        whitespace,
        whitespace,
        fc.boolean(),
        (text, lead, sep, tail, upper) => {
          const words = normalizeText(text).split(' ');
          const head = upper ? words[0].toUpperCase() : words[0].toLowerCase();
          // Upper-casing can change a word's length (ß → SS): compare only when it does not.
          fc.pre(head.length === words[0].length && normalizeText(head) === head);
          const plain = [words[0], ...words.slice(1)].join(' ');
          const spaced = lead + [head, ...words.slice(1)].join(sep) + tail;
          expect(parseCommand(spaced)).toEqual(parseCommand(plain));
        },
      ),
      800,
    );
  });

  it('each field reader answers for any string without throwing', async () => {
    await fuzz(
      'parser: field readers',
      fc.property(anyLine, (text) => {
        const amount = parseAmount(text);
        if (amount.ok) {
          expect(Number.isInteger(amount.amount)).toBe(true);
          expect(amount.amount).toBeGreaterThanOrEqual(MIN_AMOUNT);
          expect(amount.amount).toBeLessThanOrEqual(MAX_AMOUNT);
        }
        const customer = parseCustomerRef(text);
        if (customer.ok && customer.customer.kind === 'phone')
          expect(customer.customer.phone).toMatch(PHONE);
        const description = parseDescription(text);
        if (description.ok)
          expect(codePoints(description.description)).toBeLessThanOrEqual(DESCRIPTION_MAX);
        const ref = parseInvoiceRef(text);
        if (ref !== null) expect(ref).toMatch(REF);
        const name = parseName(text);
        if (name.ok) expect(codePoints(name.name)).toBeLessThanOrEqual(NAME_MAX);
        expect(parseOptionalName(text)).toBeDefined();
        expect([null, 'yes', 'no']).toContain(parseYesNo(text));
      }),
      1_200,
    );
  });

  it('reads a long line in linear time (no regular expression backtracks on it)', async () => {
    const long = fc.oneof(
      hugeString.map((s) => s.slice(0, 60_000)),
      fc
        .tuple(
          fc.constantFrom('invoice ', 'status ', 'pay INV-', 'cancel ', '', 'invoice 0712345678 '),
          fc.constantFrom(...SPECIAL_PIECES, '1', ',', '.', '-', '!', '?', ';', ':', '1-'),
          fc.integer({ min: 10_000, max: 60_000 }),
          fc.constantFrom('x', '', ' 500 Logo', '\u0000', '-'),
        )
        .map(([head, piece, n, tail]) => head + piece.repeat(n / piece.length) + tail),
    );
    await fuzz(
      'parser: long lines',
      fc.property(long, (text) => {
        const started = performance.now();
        checkWellFormed(parseCommand(text));
        parseAmount(text);
        parseCustomerRef(text);
        parseDescription(text);
        parseInvoiceRef(text);
        parseOptionalName(text);
        parseYesNo(text);
        const ms = performance.now() - started;
        // Linear work on 60k characters takes a few milliseconds; quadratic takes seconds.
        expect(ms).toBeLessThan(250);
      }),
      150,
    );
  });
});
