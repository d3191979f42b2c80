import { MAX_AMOUNT } from '../money';
import type { InvalidCommand, FieldProblem } from './problems';
import {
  CATALOGUES,
  LOCALES,
  interpolate,
  placeholders,
  t,
  type Catalogue,
  type MessageKey,
} from './catalogue';
import { en } from './en';
import { formatAmount } from './format';
import { GSM7_SINGLE_SEGMENT, gsm7Length, isGsm7, nonGsm7Characters } from '../text/gsm7';
import { fieldProblemReply, invalidCommandReply } from './problem-messages';
import { sw } from './sw';

const KEYS = Object.keys(en) as MessageKey[];
const entries = (c: Catalogue) => Object.entries(c) as [MessageKey, string][];

/** Realistic worst-case-ish values for every placeholder, to render texts as they go out. */
const SAMPLE: Record<string, string> = {
  ref: 'INV-7KQ2MX',
  merchant: 'Wanjiku Beauty Salon',
  customer: 'Mary Wanjiku',
  amount: 'KES 250,000',
  balance: 'KES 1,500',
  paid: 'KES 0',
  description: 'Logo design',
  link: 'https://iq.example.co.ke/p/abcdefghijklm',
  receipt: 'SGR7H5K2LM',
  time: '14:05',
  channel: 'WhatsApp',
};
const render = (text: string) =>
  interpolate(text, Object.fromEntries(placeholders(text).map((p) => [p, SAMPLE[p] ?? 'x'])));

describe('message catalogue', () => {
  it('has exactly the same keys in every language', () => {
    for (const locale of LOCALES)
      expect(Object.keys(CATALOGUES[locale]).sort()).toEqual([...KEYS].sort());
  });

  it.each(LOCALES)('%s has no empty texts', (locale) => {
    const empty = entries(CATALOGUES[locale]).filter(([, text]) => text.trim() === '');
    expect(empty).toEqual([]);
  });

  it('uses the same {params} in sw as in en, key by key', () => {
    const mismatches = KEYS.filter(
      (key) => placeholders(en[key]).sort().join() !== placeholders(sw[key]).sort().join(),
    );
    expect(mismatches).toEqual([]);
  });

  it.each(LOCALES)('%s button titles fit WhatsApp (<= 20 chars), list rows <= 24', (locale) => {
    const tooLong = entries(CATALOGUES[locale]).filter(
      ([key, text]) =>
        (key.startsWith('btn_') && [...text].length > 20) ||
        (key.startsWith('row_') && [...text].length > 24),
    );
    expect(tooLong).toEqual([]);
  });

  it.each(LOCALES)('%s button titles shown together are distinct', (locale) => {
    const c = CATALOGUES[locale];
    const groups = [
      [c.btn_send, c.btn_edit, c.btn_cancel],
      [c.btn_remind, c.btn_cancel_invoice],
      [c.btn_replace, c.btn_keep_draft],
      [c.btn_keep_going, c.btn_cancel],
      [c.btn_lang_en, c.btn_lang_sw],
      [c.btn_pay, c.btn_try_again],
    ];
    for (const group of groups) expect(new Set(group).size).toBe(group.length);
  });

  it.each(LOCALES)('%s help mentions every merchant command', (locale) => {
    const help = CATALOGUES[locale].help;
    for (const command of [
      'invoice',
      'remind',
      'cancel',
      'status',
      'list',
      'customers',
      'lang',
      'help',
    ])
      expect(help).toMatch(new RegExp(`(^|\\n)${command}\\b`));
    expect(help).toContain('lang sw');
    expect(help).toContain('lang en');
    expect(help).toContain('250,000');
  });

  it.each(LOCALES)('%s texts use only the GSM-7 alphabet, so SMS stays cheap', (locale) => {
    const offenders = entries(CATALOGUES[locale])
      .filter(([, text]) => !isGsm7(render(text)))
      .map(([key, text]) => `${key}: ${nonGsm7Characters(text).join(' ')}`);
    expect(offenders).toEqual([]);
  });

  it.each(LOCALES)('%s SMS invoice fits one 160-character GSM-7 segment', (locale) => {
    const text = t(locale, 'sms_invoice', {
      merchant: 'Wanjiku Beauty Salon', // 20 characters
      ref: 'INV-7KQ2MX',
      amount: formatAmount(250_000),
      link: 'https://iq.example.co.ke/p/abcdefghijklm', // 40 characters
    });
    expect('Wanjiku Beauty Salon').toHaveLength(20);
    expect('https://iq.example.co.ke/p/abcdefghijklm').toHaveLength(40);
    expect(text).toContain('KES 250,000');
    expect(text).toContain('PAY INV-7KQ2MX');
    const septets = gsm7Length(text);
    expect(septets).not.toBeNull();
    expect(septets).toBeLessThanOrEqual(GSM7_SINGLE_SEGMENT);
  });

  it('states the M-PESA limit that money.ts enforces', () => {
    for (const locale of LOCALES)
      expect(CATALOGUES[locale].err_amount_too_large).toContain(formatAmount(MAX_AMOUNT));
  });

  it('the language-switched reply is in the new language', () => {
    expect(t('sw', 'language_switched')).toMatch(/Kiswahili/);
    expect(t('en', 'language_switched')).toMatch(/English/);
  });
});

describe('t()', () => {
  it('fills every placeholder, including repeated ones', () => {
    expect(
      t('en', 'sms_invoice', { merchant: 'Acme', ref: 'INV-1A2B', amount: 'KES 10', link: 'L' }),
    ).toBe('Acme: invoice INV-1A2B KES 10. Pay: L or reply PAY INV-1A2B');
    expect(t('sw', 'stk_sent', { amount: 'KES 1,500', merchant: 'Acme' })).toBe(
      'Angalia simu yako na uweke PIN yako ya M-PESA kulipa KES 1,500 kwa Acme.',
    );
  });

  it('returns plain texts for keys without params', () => {
    expect(t('sw', 'btn_pay')).toBe('Lipa kwa M-PESA');
    expect(t('en', 'btn_pay')).toBe('Pay with M-PESA');
  });

  it('checks params at compile time', () => {
    // @ts-expect-error a missing param does not compile
    t('en', 'not_found', {});
    // @ts-expect-error a key with params needs them
    t('en', 'not_found');
    // @ts-expect-error a key without params takes none
    t('en', 'help', { x: 1 });
    // @ts-expect-error unknown keys do not compile
    t('en', 'no_such_key');
    expect(t('en', 'not_found', { ref: 'INV-ABCD12' })).toContain('INV-ABCD12');
  });
});

describe('replies to parser problems', () => {
  const invoiceProblems: FieldProblem[] = [
    { problem: 'missing_customer' },
    { problem: 'bad_phone', reason: 'not_kenyan' },
    { problem: 'bad_phone', reason: 'not_mobile' },
    { problem: 'bad_phone', reason: 'not_a_number' },
    { problem: 'bad_name' },
    { problem: 'missing_amount' },
    { problem: 'bad_amount' },
    { problem: 'amount_not_whole' },
    { problem: 'amount_too_small' },
    { problem: 'amount_too_large' },
    { problem: 'missing_description' },
    { problem: 'description_too_short' },
    { problem: 'description_too_long' },
  ];
  const commandProblems: InvalidCommand[] = [
    ...invoiceProblems.map((p): InvalidCommand => ({ type: 'invalid', command: 'invoice', ...p })),
    { type: 'invalid', command: 'remind', problem: 'missing_ref' },
    { type: 'invalid', command: 'cancel', problem: 'bad_ref' },
    { type: 'invalid', command: 'status', problem: 'bad_ref' },
    { type: 'invalid', command: 'pay', problem: 'missing_ref' },
    { type: 'invalid', command: 'lang', problem: 'bad_language' },
  ];

  it.each(LOCALES)(
    '%s: every command problem has its own reply with a working example',
    (locale) => {
      const replies = commandProblems.map((p) => invalidCommandReply(locale, p));
      for (const [i, reply] of replies.entries()) {
        const p = commandProblems[i];
        expect(reply).not.toMatch(/\{\w+\}/);
        if (p.command === 'invoice') expect(reply).toMatch(/invoice (0712345678|Mary) 1500 \S+/);
        else if (p.command === 'lang') expect(reply).toMatch(/lang en/);
        else expect(reply).toContain(`${p.command} INV-7KQ2MX`);
      }
      const invoiceReplies = replies.slice(0, invoiceProblems.length);
      expect(new Set(invoiceReplies).size).toBe(invoiceReplies.length);
    },
  );

  it.each(LOCALES)('%s: guided-flow re-prompts show an answer for that step', (locale) => {
    expect(fieldProblemReply(locale, { problem: 'bad_amount' }, 'amount')).toMatch(/: 1500$/);
    expect(
      fieldProblemReply(locale, { problem: 'bad_phone', reason: 'not_kenyan' }, 'customer'),
    ).toMatch(/0712 345 678/);
    expect(
      fieldProblemReply(locale, { problem: 'description_too_short' }, 'description'),
    ).not.toMatch(/invoice 07/);
  });
});

describe('gsm7 check', () => {
  it('counts extension characters twice and refuses what GSM-7 cannot carry', () => {
    expect(gsm7Length('Pay KES 1,500 @ 5%')).toBe(18);
    expect(gsm7Length('{}€a')).toBe(7);
    expect(gsm7Length('don\u2019t')).toBeNull();
    expect(isGsm7('Lipa kwa M-PESA')).toBe(true);
    expect(isGsm7('\u{1F44D}')).toBe(false);
  });
});
