import type { KenyanMobile } from '../common/phone';
import {
  parseAmount,
  parseCommand,
  parseCustomerRef,
  parseDescription,
  parseInvoiceRef,
  parseOptionalName,
  parseYesNo,
  type ParsedCommand,
} from './command-parser';

const MARY = '+254712345678';
const phone = (p: string) => ({ kind: 'phone', phone: p as KenyanMobile }) as const;
const named = (name: string) => ({ kind: 'name', name }) as const;
const invoice = (
  customer: ReturnType<typeof phone> | ReturnType<typeof named>,
  amount: number,
  description: string,
): ParsedCommand => ({ type: 'invoice', customer, amount, description });
const bad = (problem: string, extra: Record<string, unknown> = {}) => ({
  type: 'invalid',
  command: 'invoice',
  problem,
  ...extra,
});
const badPhone = (reason: string) => bad('bad_phone', { reason });

const len = (n: number) => 'x'.repeat(n);

/** [input, expected]: the behaviour of the command language, one line per case. */
const CASES: [string, unknown][] = [
  // ---- one-line invoice: phone forms
  ['invoice 0712 345 678 1,500 Logo design', invoice(phone(MARY), 1500, 'Logo design')],
  ['INVOICE +254712345678 KES 1500 Logo design', invoice(phone(MARY), 1500, 'Logo design')],
  ['invoice 254112345678 1.5k Website', invoice(phone('+254112345678'), 1500, 'Website')],
  ['invoice 0112345678 800 Airtime', invoice(phone('+254112345678'), 800, 'Airtime')],
  ['invoice +254 712 345 678 500 Cake', invoice(phone(MARY), 500, 'Cake')],
  ['invoice 0712-345-678 500 Cake', invoice(phone(MARY), 500, 'Cake')],
  ['invoice 712345678 500 Cake', invoice(phone(MARY), 500, 'Cake')],
  ['invoice 0712345678 1 Sweet', invoice(phone(MARY), 1, 'Sweet')],
  ['Invoice 0712345678 250,000 Car deposit', invoice(phone(MARY), 250000, 'Car deposit')],
  // ---- amount forms
  ['invoice 0712345678 KES1500 Logo', invoice(phone(MARY), 1500, 'Logo')],
  ['invoice 0712345678 ksh1500 Logo', invoice(phone(MARY), 1500, 'Logo')],
  ['invoice 0712345678 Ksh 1,500 Logo', invoice(phone(MARY), 1500, 'Logo')],
  ['invoice 0712345678 Ksh. 1,500 Logo', invoice(phone(MARY), 1500, 'Logo')],
  ['invoice 0712345678 sh 1500 Logo', invoice(phone(MARY), 1500, 'Logo')],
  ['invoice 0712345678 2k Shoes', invoice(phone(MARY), 2000, 'Shoes')],
  ['invoice 0712345678 2K Shoes', invoice(phone(MARY), 2000, 'Shoes')],
  ['invoice 0712345678 1.25k Shoes', invoice(phone(MARY), 1250, 'Shoes')],
  ['invoice 0712345678 1500/= Shoes', invoice(phone(MARY), 1500, 'Shoes')],
  ['invoice 0712345678 1500 KES Shoes', invoice(phone(MARY), 1500, 'Shoes')],
  ['invoice 0712345678 1500ksh Shoes', invoice(phone(MARY), 1500, 'Shoes')],
  ['invoice 0712345678 1500.00 Shoes', invoice(phone(MARY), 1500, 'Shoes')],
  // ---- names
  ['invoice John 500 Cleaning', invoice(named('John'), 500, 'Cleaning')],
  [
    'invoice "Mary Wanjiku" 1500 Hair braiding',
    invoice(named('Mary Wanjiku'), 1500, 'Hair braiding'),
  ],
  ['invoice \u201CMama Mboga\u201D 300 Sukuma', invoice(named('Mama Mboga'), 300, 'Sukuma')],
  ["invoice O'Brien 700 Repairs", invoice(named("O'Brien"), 700, 'Repairs')],
  ['invoice @john 500 Cleaning', bad('bad_name')],
  ['invoice "Mary 500 Cleaning', bad('bad_name')],
  // ---- whitespace, case and odd characters
  ['  invoice   0712345678   500   Website   build  ', invoice(phone(MARY), 500, 'Website build')],
  ['invoice\u00A00712\u00A0345\u00A0678\u00A02k\u00A0Shoes', invoice(phone(MARY), 2000, 'Shoes')],
  ['invoice\t0712345678\n500\nLogo', invoice(phone(MARY), 500, 'Logo')],
  ['invoice \u200B0712345678 500 Logo', invoice(phone(MARY), 500, 'Logo')],
  ['invoice \uFF10\uFF17\uFF11\uFF12345678 500 Logo', invoice(phone(MARY), 500, 'Logo')],
  ['invoice 0712345678 500 - Logo design.', invoice(phone(MARY), 500, 'Logo design.')],
  ['invoice: 0712345678 500 Logo', invoice(phone(MARY), 500, 'Logo')],
  ['invoice 0712345678, 1,500, Logo, blue', invoice(phone(MARY), 1500, 'Logo, blue')],
  ['invoice Mary: KES 500; Cake', invoice(named('Mary'), 500, 'Cake')],
  ['invoice "Mary W", 500 KES, Cake', invoice(named('Mary W'), 500, 'Cake')],
  ['ankara 0712345678 500 Usafi', invoice(phone(MARY), 500, 'Usafi')],
  // ---- customer problems
  ['invoice 1500 Logo design', bad('missing_customer')],
  ['invoice KES 1500 Logo design', bad('missing_customer')],
  ['invoice 2k Logo design', bad('missing_customer')],
  ['invoice +255712345678 500 cake', badPhone('not_kenyan')],
  ['invoice +1 202 555 0100 500 cake', badPhone('not_kenyan')],
  ['invoice 0202345678 500 cake', badPhone('not_mobile')],
  ['invoice 07123 500 cake', badPhone('not_a_number')],
  ['invoice 0712 34 500 cake', badPhone('not_a_number')],
  // ---- amount problems
  ['invoice 0712345678', bad('missing_amount')],
  ['invoice John cake', bad('missing_amount')],
  ['invoice 0712345678 KES', bad('missing_amount')],
  ['invoice 0712345678 12abc cake', bad('bad_amount')],
  ['invoice 0712345678 15,00 cake', bad('bad_amount')],
  ['invoice 0712345678 -500 cake', bad('bad_amount')],
  ['invoice 0712345678 1.5 cake', bad('amount_not_whole')],
  ['invoice 0712345678 1.2345k cake', bad('amount_not_whole')],
  ['invoice 0712345678 0 cake', bad('amount_too_small')],
  ['invoice 0712345678 250001 cake', bad('amount_too_large')],
  ['invoice 0712345678 251k cake', bad('amount_too_large')],
  ['invoice 0712345678 99999999999999999999999 cake', bad('amount_too_large')],
  // ---- description problems
  ['invoice 0712345678 500', bad('missing_description')],
  ['invoice 0712345678 500 ab', bad('description_too_short')],
  ['invoice 0712345678 500 -', bad('missing_description')],
  [`invoice 0712345678 500 ${len(120)}`, invoice(phone(MARY), 500, len(120))],
  [`invoice 0712345678 500 ${len(121)}`, bad('description_too_long')],
  // ---- starting the guided flow
  ['invoice', { type: 'start_invoice' }],
  ['INVOICE', { type: 'start_invoice' }],
  ['new invoice', { type: 'start_invoice' }],
  ['New  Invoice!', { type: 'start_invoice' }],
  ['ankara mpya', { type: 'start_invoice' }],
  // ---- refs
  ['remind inv-7kq2mx', { type: 'remind', ref: 'INV-7KQ2MX' }],
  ['Remind INV-7KQ2MX.', { type: 'remind', ref: 'INV-7KQ2MX' }],
  ['status INVABC123', { type: 'status', ref: 'INV-ABC123' }],
  ['status inv 7kq2mx', { type: 'status', ref: 'INV-7KQ2MX' }],
  ['status #INV-7KQ2MX', { type: 'status', ref: 'INV-7KQ2MX' }],
  ['cancel INV-7KQ2MX', { type: 'cancel_invoice', ref: 'INV-7KQ2MX' }],
  ['status', { type: 'invalid', command: 'status', problem: 'missing_ref' }],
  ['remind', { type: 'invalid', command: 'remind', problem: 'missing_ref' }],
  ['status invoice', { type: 'invalid', command: 'status', problem: 'bad_ref' }],
  ['status 7KQ2MX', { type: 'invalid', command: 'status', problem: 'bad_ref' }],
  ['cancel everything', { type: 'invalid', command: 'cancel', problem: 'bad_ref' }],
  ['remind INV-7K', { type: 'invalid', command: 'remind', problem: 'bad_ref' }],
  // ---- keywords
  ['cancel', { type: 'cancel' }],
  ['CANCEL.', { type: 'cancel' }],
  ['ghairi', { type: 'cancel' }],
  ['LIST', { type: 'list' }],
  ['customers', { type: 'customers' }],
  ['lang sw', { type: 'lang', locale: 'sw' }],
  ['LANG EN', { type: 'lang', locale: 'en' }],
  ['lugha kiswahili', { type: 'lang', locale: 'sw' }],
  ['lang fr', { type: 'invalid', command: 'lang', problem: 'bad_language' }],
  ['lang', { type: 'invalid', command: 'lang', problem: 'bad_language' }],
  ['  help  ', { type: 'help' }],
  ['Help!', { type: 'help' }],
  ['msaada', { type: 'help' }],
  ['?', { type: 'help' }],
  ['back', { type: 'back' }],
  ['Rudi', { type: 'back' }],
  ['pay INV-7KQ2MX', { type: 'pay', ref: 'INV-7KQ2MX' }],
  ['PAY inv-7kq2mx', { type: 'pay', ref: 'INV-7KQ2MX' }],
  ['lipa INV-7KQ2MX', { type: 'pay', ref: 'INV-7KQ2MX' }],
  ['pay', { type: 'pay', ref: null }],
  ['pay now please', { type: 'invalid', command: 'pay', problem: 'bad_ref' }],
  ['STOP', { type: 'stop' }],
  ['stop reminders', { type: 'stop' }],
  ['register', { type: 'register' }],
  // ---- everything else
  ['', { type: 'unknown' }],
  ['   ', { type: 'unknown' }],
  ['hello', { type: 'unknown' }],
  ['invoices', { type: 'unknown' }],
  ['list all my things', { type: 'unknown' }],
  ['0712345678', { type: 'unknown' }],
];

describe('parseCommand', () => {
  it('has a table of at least 60 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES)('%j', (input, expected) => {
    expect(parseCommand(input)).toEqual(expected);
  });

  it('never throws, whatever arrives', () => {
    const junk = ['\u0000', '"', 'invoice "', 'invoice ""', 'invoice + - 1', 'invoice 0 0 0', 'k'];
    for (const text of junk) expect(() => parseCommand(text)).not.toThrow();
    expect(parseCommand('invoice ""')).toEqual(bad('bad_name'));
  });
});

describe('field parsers reused by the guided flow', () => {
  it.each([
    ['1500', { ok: true, amount: 1500 }],
    ['KES 1,500', { ok: true, amount: 1500 }],
    [' 1.5k ', { ok: true, amount: 1500 }],
    ['', { ok: false, problem: 'missing_amount' }],
    ['fifty', { ok: false, problem: 'bad_amount' }],
    ['0.5', { ok: false, problem: 'amount_not_whole' }],
    ['0', { ok: false, problem: 'amount_too_small' }],
    ['250,001', { ok: false, problem: 'amount_too_large' }],
  ])('parseAmount(%j)', (input, expected) => {
    expect(parseAmount(input)).toEqual(expected);
  });

  it.each([
    ['  Logo   design ', { ok: true, description: 'Logo design' }],
    ['', { ok: false, problem: 'missing_description' }],
    ['ab', { ok: false, problem: 'description_too_short' }],
    ['\u{1F382}\u{1F382}\u{1F382}', { ok: true, description: '\u{1F382}\u{1F382}\u{1F382}' }],
    [len(121), { ok: false, problem: 'description_too_long' }],
  ])('parseDescription(%j)', (input, expected) => {
    expect(parseDescription(input)).toEqual(expected);
  });

  it.each([
    ['0712 345 678', { ok: true, customer: phone(MARY) }],
    ['+254-712-345-678', { ok: true, customer: phone(MARY) }],
    ['Mary Wanjiku', { ok: true, customer: named('Mary Wanjiku') }],
    ['"Mary Wanjiku"', { ok: true, customer: named('Mary Wanjiku') }],
    ['', { ok: false, problem: 'missing_customer' }],
    ['+255712345678', { ok: false, problem: 'bad_phone', reason: 'not_kenyan' }],
    ['0202345678', { ok: false, problem: 'bad_phone', reason: 'not_mobile' }],
    ['500', { ok: false, problem: 'bad_phone', reason: 'not_a_number' }],
    ['#$%', { ok: false, problem: 'bad_name' }],
    [len(41), { ok: false, problem: 'bad_name' }],
  ])('parseCustomerRef(%j)', (input, expected) => {
    expect(parseCustomerRef(input)).toEqual(expected);
  });

  it.each([
    ['-', { ok: true, name: null }],
    ['skip', { ok: true, name: null }],
    ['Ruka', { ok: true, name: null }],
    ['Mary  Wanjiku', { ok: true, name: 'Mary Wanjiku' }],
    ['!!', { ok: false, problem: 'bad_name' }],
  ])('parseOptionalName(%j)', (input, expected) => {
    expect(parseOptionalName(input)).toEqual(expected);
  });

  it.each([
    ['yes', 'yes'],
    ['Ndiyo', 'yes'],
    ['NO.', 'no'],
    ['hapana', 'no'],
    ['maybe', null],
  ])('parseYesNo(%j)', (input, expected) => {
    expect(parseYesNo(input)).toBe(expected);
  });

  it('normalises refs to upper case INV-XXXXXX', () => {
    expect(parseInvoiceRef(' inv_7kq2mx ')).toBe('INV-7KQ2MX');
    expect(parseInvoiceRef('INV-')).toBeNull();
  });
  describe('long lines are read in linear time (no regular expression backtracks on them)', () => {
    // Quadratic matching took 0.5-1.6 s on 20,000 characters and would take minutes on a
    // megabyte; linear work on 60,000 characters takes milliseconds.
    const run = (n: number, piece: string) => piece.repeat(n / piece.length);
    it.each([
      ['commas after the customer', `invoice ${run(60_000, ',')}x 500 Logo`],
      ['digits then a letter', `invoice ${run(60_000, '1')}x 500 Logo`],
      ['dots after a command', `status ${run(60_000, '.')}x`],
      ['dots after a ref', `pay INV-${run(60_000, '.')}x`],
      ['exclamation marks', `${run(60_000, '!')}x`],
      ['commas in a ref', `${run(60_000, ',')}x`],
    ])('%s', (_name, text) => {
      const started = performance.now();
      parseCommand(text);
      parseInvoiceRef(text);
      parseYesNo(text);
      expect(performance.now() - started).toBeLessThan(500);
    });

    it('still strips the punctuation it did', () => {
      expect(parseCommand('help .')).toEqual({ type: 'help' });
      expect(parseCommand('status INV-7KQ2MX!!')).toEqual({ type: 'status', ref: 'INV-7KQ2MX' });
      expect(parseCommand('invoice 0712345678,, 1500;: Logo design')).toEqual(
        invoice(phone(MARY), 1500, 'Logo design'),
      );
      expect(parseYesNo('yes!.')).toBe('yes');
    });
  });
});
