import {
  AUTH_FAILURE_TEXT,
  DELIVERY_STATUSES,
  deliveryReportEffect,
  emptyRecipientsOutcome,
  httpFailureOutcome,
  isDeliveryStatus,
  recipientOutcome,
} from './africastalking-status';

const ok = (statusCode: number | string) =>
  recipientOutcome({ statusCode, number: '+254711000111', messageId: 'ATXid_abc' });

describe('recipientOutcome', () => {
  it.each([100, 101, 102, '101'])('%p is accepted with the messageId', (code) => {
    expect(ok(code)).toEqual({ status: 'accepted', providerMessageId: 'ATXid_abc' });
  });

  it('treats an accepted code without a messageId as a defect', () => {
    expect(recipientOutcome({ statusCode: 101, messageId: 'None' })).toMatchObject({
      status: 'permanent',
      code: 'MissingMessageId',
      alert: true,
    });
  });

  it.each([
    [403, 'InvalidPhoneNumber'],
    [404, 'UnsupportedNumberType'],
    [406, 'UserInBlacklist'],
    [407, 'CouldNotRoute'],
    [409, 'DoNotDisturbRejection'],
  ])('%p (%s) is about the person: permanent, no alert', (code, name) => {
    const outcome = ok(code);
    expect(outcome).toMatchObject({ status: 'permanent', code: name });
    expect(outcome).not.toHaveProperty('alert');
  });

  it.each([
    [401, 'RiskHold'],
    [402, 'InvalidSenderId'],
    [405, 'InsufficientBalance'],
  ])('%p (%s) is about our account: permanent with alert', (code, name) => {
    expect(ok(code)).toEqual({
      status: 'permanent',
      code: name,
      reason: expect.any(String),
      alert: true,
    });
  });

  it.each([
    [500, 'InternalServerError'],
    [501, 'GatewayError'],
    [502, 'RejectedByGateway'],
  ])('%p (%s) is retryable', (code, name) => {
    expect(ok(code)).toEqual({ status: 'retryable', code: name, reason: expect.any(String) });
  });

  it('never retries an unknown code (it may have been queued) and asks ops to look', () => {
    expect(ok(408)).toMatchObject({ status: 'permanent', code: 'UnknownStatus408', alert: true });
    expect(ok('weird')).toMatchObject({ status: 'permanent', code: 'UnknownStatus', alert: true });
  });
});

describe('httpFailureOutcome', () => {
  it('reads HTTP 401 / the auth text as a permanent alert', () => {
    expect(httpFailureOutcome(401, AUTH_FAILURE_TEXT)).toMatchObject({
      status: 'permanent',
      code: 'AuthenticationFailed',
      alert: true,
    });
    expect(httpFailureOutcome(403, `${AUTH_FAILURE_TEXT}\n`)).toMatchObject({
      code: 'AuthenticationFailed',
    });
  });

  it.each([500, 502, 503, 504, 408])('retries HTTP %p', (status) => {
    expect(httpFailureOutcome(status, 'oops')).toMatchObject({
      status: 'retryable',
      code: `Http${status}`,
    });
  });

  it('retries 429 and honours Retry-After', () => {
    expect(httpFailureOutcome(429, '', '7')).toEqual({
      status: 'retryable',
      code: 'RateLimited',
      reason: 'HTTP 429',
      retryAfterMs: 7000,
    });
    expect(httpFailureOutcome(429, '')).not.toHaveProperty('retryAfterMs');
  });

  it('treats other 4xx as our defect', () => {
    expect(httpFailureOutcome(400, "Request is missing required form field 'to'")).toMatchObject({
      status: 'permanent',
      code: 'Http400',
      alert: true,
    });
  });
});

describe('emptyRecipientsOutcome', () => {
  it('uses a known status name carried in Message', () => {
    expect(emptyRecipientsOutcome('InvalidSenderId')).toMatchObject({
      status: 'permanent',
      code: 'InvalidSenderId',
      alert: true,
    });
  });

  it('otherwise reports no recipient', () => {
    expect(emptyRecipientsOutcome('Sent to 0/0')).toMatchObject({
      code: 'NoRecipients',
      alert: true,
    });
    expect(emptyRecipientsOutcome('Success')).toMatchObject({ code: 'NoRecipients' });
    expect(emptyRecipientsOutcome(undefined)).toMatchObject({ code: 'NoRecipients' });
  });
});

describe('deliveryReportEffect', () => {
  it.each([
    ['Sent', 'sent', false],
    ['Submitted', 'sent', false],
    ['Buffered', 'sent', false],
    ['Success', 'delivered', true],
    ['Failed', 'failed', true],
    ['Rejected', 'failed', true],
    ['AbsentSubscriber', 'failed', true],
    ['Expired', 'failed', true],
  ] as const)('%s → %s (final: %s)', (status, messageStatus, final) => {
    expect(deliveryReportEffect(status)).toEqual({ messageStatus, final });
  });

  it('knows exactly the documented statuses', () => {
    expect(DELIVERY_STATUSES).toHaveLength(8);
    expect(isDeliveryStatus('Success')).toBe(true);
    expect(isDeliveryStatus('success')).toBe(false);
    expect(isDeliveryStatus('Delivered')).toBe(false);
  });
});
