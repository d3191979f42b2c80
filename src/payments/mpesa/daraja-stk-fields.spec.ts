import type { MpesaConfig } from '../../config/app-config';
import { darajaTimestamp, stkPassword } from './daraja-password';
import { checkStkPush, toAccountReference, toTransactionDesc } from './daraja-stk-fields';

const mpesa: MpesaConfig = {
  consumerKey: 'k',
  consumerSecret: 's',
  shortcode: '174379',
  passkey: 'pk',
  transactionType: 'CustomerPayBillOnline',
  partyB: '174379',
  callbackSecret: 'x'.repeat(24),
};

describe('Daraja request fields', () => {
  it('AccountReference: alphanumeric, at most 12', () => {
    expect(toAccountReference('INV-7K3Q')).toBe('INV7K3Q');
    expect(toAccountReference('INV-ABCDEFGHIJK')).toBe('INVABCDEFGHI');
    expect(toAccountReference('---')).toBe('INVOICE');
  });

  it('TransactionDesc: at most 13, cut at a word where possible, plain characters only', () => {
    expect(toTransactionDesc('Logo design')).toBe('Logo design');
    expect(toTransactionDesc('Logo design & branding')).toBe('Logo design');
    expect(toTransactionDesc('Supercalifragilistic')).toBe('Supercalifrag');
    expect(toTransactionDesc('Chai 🍵 ×2')).toBe('Chai 2');
    expect(toTransactionDesc('  ')).toBe('Payment');
    for (const d of ['a b c d e f g h i j', 'Website hosting 2025', 'x'.repeat(40)]) {
      expect(toTransactionDesc(d).length).toBeLessThanOrEqual(13);
    }
  });

  it('checkStkPush normalises the phone to 2547…/2541… and refuses bad input', () => {
    const ok = checkStkPush(
      { phone: '+254 110 123 456', amount: 10, accountReference: 'INV-1', description: 'x' },
      mpesa,
    );
    expect(ok).toMatchObject({ ok: true, fields: { msisdn: '254110123456', amount: 10 } });
    const req = { phone: '0712345678', amount: 10, accountReference: 'R', description: 'd' };
    expect(checkStkPush({ ...req, amount: 10.5 }, mpesa)).toMatchObject({ code: 'invalid_amount' });
    expect(checkStkPush({ ...req, phone: '0201234567' }, mpesa)).toMatchObject({
      code: 'invalid_phone',
    });
    expect(checkStkPush(req, { ...mpesa, passkey: '' })).toMatchObject({ code: 'not_configured' });
  });

  it('Timestamp is Nairobi time (UTC+3) and the Password is built from it', () => {
    expect(darajaTimestamp(new Date('2024-12-31T21:30:05Z'))).toBe('20250101003005');
    expect(darajaTimestamp(new Date('2024-07-10T06:15:26Z'))).toBe('20240710091526');
    const password = stkPassword('174379', 'pk', '20250101003005');
    expect(Buffer.from(password, 'base64').toString()).toBe('174379pk20250101003005');
  });
});
