import { parseAtDate, parseDeliveryReport, parseInboundSms } from './sms-callback.parser';

const inbound = {
  date: '2024-05-01 10:00:00',
  from: '+254712345678',
  id: 'b5c6d7e8-0000-4000-8000-000000000001',
  linkId: 'link-1',
  text: 'PAY INV-7KQ2MX',
  to: '40404',
  networkCode: '63902',
};

describe('parseInboundSms', () => {
  it('parses a full callback and normalises the sender to E.164', () => {
    expect(parseInboundSms({ ...inbound, from: '254712345678' })).toEqual({
      ok: true,
      value: {
        id: inbound.id,
        from: '+254712345678',
        to: '40404',
        text: 'PAY INV-7KQ2MX',
        date: new Date('2024-05-01T10:00:00Z'),
        linkId: 'link-1',
        networkCode: '63902',
      },
    });
  });

  it('accepts an empty text and missing optional fields', () => {
    const r = parseInboundSms({ id: 'x1', from: '0112345678', to: '40404', text: '' });
    expect(r).toEqual({
      ok: true,
      value: { id: 'x1', from: '+254112345678', to: '40404', text: '' },
    });
  });

  it.each([
    [undefined, 'not_a_form'],
    ['garbage', 'not_a_form'],
    [{}, 'bad_id'],
    [{ ...inbound, id: 'has space' }, 'bad_id'],
    [{ ...inbound, id: ['a', 'b'] }, 'bad_id'],
    [{ ...inbound, from: undefined }, 'missing_from'],
    [{ ...inbound, to: '' }, 'bad_to'],
    [{ ...inbound, text: undefined }, 'missing_text'],
    [{ ...inbound, text: ['a', 'b'] }, 'missing_text'],
    [{ ...inbound, from: '+14155550100' }, 'from_not_kenyan'],
    [{ ...inbound, from: '+254201234567' }, 'from_not_mobile'],
    [{ ...inbound, from: 'Safaricom' }, 'from_not_a_number'],
  ])('refuses %p with %p', (body, reason) => {
    expect(parseInboundSms(body)).toMatchObject({ ok: false, reason });
  });

  it('keeps the id of a refused body with an id, for the ledger', () => {
    expect(parseInboundSms({ ...inbound, from: '+14155550100' })).toEqual({
      ok: false,
      reason: 'from_not_kenyan',
      id: inbound.id,
    });
  });
});

describe('parseDeliveryReport', () => {
  it('parses a report without keeping the phone number', () => {
    expect(
      parseDeliveryReport({
        id: 'ATXid_1',
        status: 'Failed',
        phoneNumber: '+254712345678',
        networkCode: '63902',
        failureReason: 'DeliveryFailure',
        retryCount: '2',
      }),
    ).toEqual({
      ok: true,
      value: {
        id: 'ATXid_1',
        status: 'Failed',
        networkCode: '63902',
        failureReason: 'DeliveryFailure',
        retryCount: 2,
      },
    });
  });

  it.each([
    [null, 'not_a_form'],
    [{ status: 'Success' }, 'bad_id'],
    [{ id: 'ATXid_1' }, 'missing_status'],
    [{ id: 'ATXid_1', status: 'Delivered' }, 'unknown_status'],
    [{ id: 'ATXid_1', status: 'Success', failureReason: 'x'.repeat(100) }, 'bad_failureReason'],
  ])('refuses %p with %p', (body, reason) => {
    expect(parseDeliveryReport(body)).toMatchObject({ ok: false, reason });
  });
});

describe('parseAtDate', () => {
  it('reads both formats AT has used, as UTC', () => {
    expect(parseAtDate('2024-05-01 10:00:00')).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(parseAtDate('2024-05-01T10:00:00.123Z')).toEqual(new Date('2024-05-01T10:00:00.123Z'));
    expect(parseAtDate('yesterday')).toBeUndefined();
    expect(parseAtDate('2024-13-45 99:00:00')).toBeUndefined();
  });
});
