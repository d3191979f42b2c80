import { inboundErrorType } from './inbound-retries';

describe('inboundErrorType', () => {
  it('keeps the type and code of a failure, never its message', () => {
    expect(inboundErrorType(new Error('bot crashed on "invoice 0712345678 1500"'))).toBe('Error');
    expect(inboundErrorType(new TypeError('x'))).toBe('TypeError');
    const pg = Object.assign(new Error('duplicate key value 0712345678'), {
      name: 'QueryFailedError',
      code: '23505',
    });
    expect(inboundErrorType(pg)).toBe('QueryFailedError (23505)');
    expect(inboundErrorType('a string thrown')).toBe('string');
    expect(inboundErrorType(undefined)).toBe('undefined');
  });
});
