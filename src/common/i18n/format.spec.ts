import {
  customerLabel,
  formatAmount,
  formatDate,
  formatDateTime,
  formatNumber,
  formatTime,
  maskPhoneForList,
} from './format';

describe('format helpers', () => {
  it.each([
    [0, 'KES 0'],
    [1, 'KES 1'],
    [999, 'KES 999'],
    [1500, 'KES 1,500'],
    [250_000, 'KES 250,000'],
    [1_234_567, 'KES 1,234,567'],
  ])('formatAmount(%d) = %s', (amount, expected) => {
    expect(formatAmount(amount)).toBe(expected);
  });

  it('formats negative numbers too', () => {
    expect(formatNumber(-1500)).toBe('-1,500');
  });

  it('shows dates and times in Nairobi (UTC+3), even across midnight', () => {
    const lateUtc = new Date('2026-03-04T22:30:00Z');
    expect(formatDate(lateUtc, 'en')).toBe('5 Mar 2026');
    expect(formatDate(lateUtc, 'sw')).toBe('5 Machi 2026');
    expect(formatTime(lateUtc)).toBe('01:30');
    expect(formatDateTime(new Date('2026-12-31T11:05:00Z'), 'sw')).toBe('31 Desemba 2026, 14:05');
    expect(formatDateTime(new Date('2026-08-01T00:00:00Z'), 'en')).toBe('1 Aug 2026, 03:00');
  });

  it.each([
    ['+254712345678', '0712 *** 678'],
    ['254112345678', '0112 *** 678'],
    ['0712345678', '0712 *** 678'],
  ])('maskPhoneForList(%s) = %s', (phone, expected) => {
    expect(maskPhoneForList(phone)).toBe(expected);
  });

  it('labels a customer by name, else by number', () => {
    expect(customerLabel('Mary', '+254712345678')).toBe('Mary');
    expect(customerLabel(null, '+254712345678')).toBe('0712 345 678');
    expect(customerLabel('  ', '+254712345678')).toBe('0712 345 678');
  });
});
