import type { PaymentOutcome } from '../payment-provider.port';
import {
  customerText,
  outcomeForResultCode,
  parseResultCode,
  parseStkCallback,
} from './daraja-result-codes';

// The two samples of PROTOCOLS.md §1, verbatim (Amount written as 1.00).
const SUCCESS_JSON =
  '{"Body":{"stkCallback":{"MerchantRequestID":"29115-34620561-1","CheckoutRequestID":"ws_CO_191220191020363925","ResultCode":0,"ResultDesc":"The service request is processed successfully.","CallbackMetadata":{"Item":[{"Name":"Amount","Value":1.00},{"Name":"MpesaReceiptNumber","Value":"NLJ7RT61SV"},{"Name":"Balance"},{"Name":"TransactionDate","Value":20191219102115},{"Name":"PhoneNumber","Value":254708374149}]}}}}';
const FAILURE_JSON =
  '{"Body":{"stkCallback":{"MerchantRequestID":"f1e2-4b95-a71d-b30d3cdbb7a7942864","CheckoutRequestID":"ws_CO_21072024125243250722943992","ResultCode":1032,"ResultDesc":"Request cancelled by user"}}}';

const success = (): any => JSON.parse(SUCCESS_JSON);
const items = (body: any): any[] => body.Body.stkCallback.CallbackMetadata.Item as any[];

describe('outcomeForResultCode', () => {
  it.each<[number, PaymentOutcome]>([
    [0, 'paid'],
    [1032, 'cancelled'],
    [2001, 'wrong_pin'],
    [1, 'insufficient_funds'],
    [1037, 'timeout'],
    [1019, 'timeout'],
    [2, 'limit'],
    [3, 'limit'],
    [4, 'limit'],
    [8, 'limit'],
    [17, 'limit'],
    [26, 'busy'],
    [1001, 'busy'],
    [1025, 'other'],
    [9999, 'other'],
    [2028, 'other'],
    [8006, 'other'],
    [4999, 'unknown'],
    [123456, 'unknown'],
  ])('%i → %s', (code, outcome) => {
    expect(outcomeForResultCode(code)).toBe(outcome);
  });

  it('calls a non-numeric code unknown', () => {
    expect(outcomeForResultCode(null)).toBe('unknown');
  });
});

describe('customerText', () => {
  const outcomes: PaymentOutcome[] = [
    'paid',
    'cancelled',
    'wrong_pin',
    'insufficient_funds',
    'timeout',
    'limit',
    'busy',
    'other',
    'unknown',
  ];

  it('has the agreed cancel wording in both languages', () => {
    expect(customerText('cancelled', 'en')).toBe('You cancelled the M-PESA prompt.');
    expect(customerText('cancelled', 'sw')).toBe('Ulighairi ombi la M-PESA.');
  });

  it('has a distinct, non-empty text per outcome in each language, and Swahili differs from English', () => {
    for (const locale of ['en', 'sw'] as const) {
      const texts = outcomes.map((o) => customerText(o, locale));
      expect(texts.every((t) => t.trim().length > 10)).toBe(true);
      expect(new Set(texts).size).toBe(outcomes.length);
    }
    for (const o of outcomes) expect(customerText(o, 'sw')).not.toBe(customerText(o, 'en'));
  });

  it('speaks of the PIN and the balance where it should', () => {
    expect(customerText('wrong_pin', 'sw')).toContain('PIN');
    expect(customerText('insufficient_funds', 'sw')).toContain('Salio');
    expect(customerText('insufficient_funds', 'en')).toContain('balance');
  });
});

describe('parseResultCode', () => {
  it('accepts numbers and numeric strings (the query sends strings)', () => {
    expect(parseResultCode(0)).toBe(0);
    expect(parseResultCode('0')).toBe(0);
    expect(parseResultCode('1032')).toBe(1032);
    expect(parseResultCode(' 4999 ')).toBe(4999);
  });
  it('refuses anything else', () => {
    for (const v of ['', 'abc', '1.5', 1.5, null, undefined, {}, NaN]) {
      expect(parseResultCode(v)).toBeUndefined();
    }
  });
});

describe('parseStkCallback', () => {
  it('reads the success sample of the doc', () => {
    expect(parseStkCallback(success())).toEqual({
      merchantRequestId: '29115-34620561-1',
      checkoutRequestId: 'ws_CO_191220191020363925',
      resultCode: 0,
      rawResultCode: '0',
      resultDesc: 'The service request is processed successfully.',
      amount: 1,
      mpesaReceipt: 'NLJ7RT61SV',
      transactionDate: '20191219102115',
      phone: '254708374149',
    });
  });

  it('reads the failure sample of the doc (no CallbackMetadata)', () => {
    expect(parseStkCallback(JSON.parse(FAILURE_JSON))).toEqual({
      merchantRequestId: 'f1e2-4b95-a71d-b30d3cdbb7a7942864',
      checkoutRequestId: 'ws_CO_21072024125243250722943992',
      resultCode: 1032,
      rawResultCode: '1032',
      resultDesc: 'Request cancelled by user',
    });
  });

  it('keeps a whole number past any integer column as text, not as a code', () => {
    for (const code of [3_000_000_000, '99999999999', -1.7e57]) {
      const body = JSON.parse(FAILURE_JSON);
      body.Body.stkCallback.ResultCode = code;
      expect(parseStkCallback(body)).toMatchObject({ resultCode: null });
    }
  });

  it('keeps a non-numeric ResultCode (seen: "SFC_IC0003") instead of calling the callback malformed', () => {
    const body = JSON.parse(FAILURE_JSON);
    body.Body.stkCallback.ResultCode = 'SFC_IC0003';
    expect(parseStkCallback(body)).toMatchObject({ resultCode: null, rawResultCode: 'SFC_IC0003' });
  });

  it('takes Amount as 1, 1.00 or 1500.00 alike', () => {
    for (const [text, expected] of [
      ['1', 1],
      ['1.00', 1],
      ['1500.00', 1500],
      ['1500', 1500],
    ] as const) {
      const body = JSON.parse(SUCCESS_JSON.replace('"Value":1.00', `"Value":${text}`));
      expect(parseStkCallback(body)?.amount).toBe(expected);
    }
  });

  it('reads items by name, whatever their order, and without the empty Balance item', () => {
    const body = success();
    const shuffled = [...items(body)].reverse().filter((i) => i.Name !== 'Balance');
    body.Body.stkCallback.CallbackMetadata.Item = shuffled;
    expect(parseStkCallback(body)).toMatchObject({
      amount: 1,
      mpesaReceipt: 'NLJ7RT61SV',
      transactionDate: '20191219102115',
      phone: '254708374149',
    });
  });

  it('leaves phone out when PhoneNumber is missing or masked', () => {
    const missing = success();
    missing.Body.stkCallback.CallbackMetadata.Item = items(missing).filter(
      (i) => i.Name !== 'PhoneNumber',
    );
    const parsedMissing = parseStkCallback(missing);
    expect(parsedMissing).not.toBeNull();
    expect(parsedMissing?.phone).toBeUndefined();
    expect(parsedMissing?.mpesaReceipt).toBe('NLJ7RT61SV');

    const masked = success();
    items(masked).find((i) => i.Name === 'PhoneNumber').Value = '2547****149';
    const parsedMasked = parseStkCallback(masked);
    expect(parsedMasked?.phone).toBeUndefined();
    expect(parsedMasked?.amount).toBe(1);
  });

  it('accepts a ResultCode sent as a string', () => {
    const body = JSON.parse(FAILURE_JSON);
    body.Body.stkCallback.ResultCode = '1032';
    expect(parseStkCallback(body)?.resultCode).toBe(1032);
  });

  it('returns null for malformed bodies', () => {
    const withoutCheckout = success();
    delete withoutCheckout.Body.stkCallback.CheckoutRequestID;
    const withoutMerchant = success();
    delete withoutMerchant.Body.stkCallback.MerchantRequestID;
    const badCode = success();
    badCode.Body.stkCallback.ResultCode = 'not a code';
    const noCode = JSON.parse(FAILURE_JSON);
    delete noCode.Body.stkCallback.ResultCode;
    const itemNotArray = success();
    itemNotArray.Body.stkCallback.CallbackMetadata.Item = { Name: 'Amount', Value: 1 };
    const metadataString = success();
    metadataString.Body.stkCallback.CallbackMetadata = 'Amount=1';

    for (const body of [
      undefined,
      null,
      'text',
      42,
      [],
      {},
      { Body: {} },
      { Body: { stkCallback: 'x' } },
      { body: success().Body },
      { stkCallback: success().Body.stkCallback },
      withoutCheckout,
      withoutMerchant,
      badCode,
      noCode,
      itemNotArray,
      metadataString,
    ]) {
      expect(parseStkCallback(body)).toBeNull();
    }
  });

  it('ignores junk items but keeps the good ones', () => {
    const body = success();
    items(body).push(null, 'x', { Value: 3 }, { Name: 'Unknown', Value: 'y' });
    expect(parseStkCallback(body)?.mpesaReceipt).toBe('NLJ7RT61SV');
  });
});
