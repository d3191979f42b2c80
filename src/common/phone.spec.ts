import { formatNational, parseKenyanMobile, toDarajaMsisdn } from './phone';

describe('parseKenyanMobile', () => {
  it.each([
    ['0712345678', '+254712345678'],
    ['712345678', '+254712345678'],
    ['+254712345678', '+254712345678'],
    ['254712345678', '+254712345678'],
    ['0712 345 678', '+254712345678'],
    ['0712-345-678', '+254712345678'],
    ['0112345678', '+254112345678'],
    ['254112345678', '+254112345678'],
    ['+254 110 123 456', '+254110123456'],
  ])('accepts %s as %s', (input, e164) => {
    expect(parseKenyanMobile(input)).toEqual({ ok: true, phone: e164 });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['12345', 'not_a_number'],
    ['abc', 'not_a_number'],
    ['+255712345678', 'not_kenyan'],
    ['0202345678', 'not_mobile'],
  ])('refuses %j (%s)', (input, problem) => {
    expect(parseKenyanMobile(input)).toEqual({ ok: false, problem });
  });

  it('formats for Daraja and for people', () => {
    expect(toDarajaMsisdn('+254712345678')).toBe('254712345678');
    expect(formatNational('+254712345678')).toBe('0712 345 678');
  });
});
