import type { SendOutcome } from '../../common/messaging/channel.port';

/**
 * What Africa's Talking answers, mapped to what the caller should do. Pure and exhaustively
 * tested: every code of PROTOCOLS.md §3 has exactly one meaning here.
 *
 * Recipient problems split in two:
 * - about the person or the number (403, 404, 406, 407, 409): SMS cannot reach this person;
 *   nothing is wrong with the service, so no alert. SMS is the last channel, hence `permanent`
 *   rather than `fallback`.
 * - about our account (401 RiskHold, 402 InvalidSenderId, 405 InsufficientBalance): every
 *   message will fail the same way until someone acts, so `alert: true`.
 */

export interface AtRecipient {
  statusCode: number | string;
  number?: string;
  status?: string;
  cost?: string;
  messageId?: string;
}

interface RecipientRule {
  name: string;
  kind: 'accepted' | 'person' | 'account' | 'retryable';
  reason: string;
}

export const RECIPIENT_STATUS: Readonly<Record<number, RecipientRule>> = {
  100: { name: 'Processed', kind: 'accepted', reason: 'Processed' },
  101: { name: 'Sent', kind: 'accepted', reason: 'Sent' },
  102: { name: 'Queued', kind: 'accepted', reason: 'Queued' },
  401: { name: 'RiskHold', kind: 'account', reason: 'Account held for risk review' },
  402: { name: 'InvalidSenderId', kind: 'account', reason: 'Sender id not allowed on account' },
  403: { name: 'InvalidPhoneNumber', kind: 'person', reason: 'Phone number is not valid' },
  404: { name: 'UnsupportedNumberType', kind: 'person', reason: 'Number type not supported' },
  405: { name: 'InsufficientBalance', kind: 'account', reason: 'SMS account balance too low' },
  406: { name: 'UserInBlacklist', kind: 'person', reason: 'Recipient opted out (blacklist)' },
  407: { name: 'CouldNotRoute', kind: 'person', reason: 'No route to the number' },
  409: { name: 'DoNotDisturbRejection', kind: 'person', reason: 'Recipient has DND enabled' },
  500: { name: 'InternalServerError', kind: 'retryable', reason: 'Provider internal error' },
  501: { name: 'GatewayError', kind: 'retryable', reason: 'Provider gateway error' },
  502: { name: 'RejectedByGateway', kind: 'retryable', reason: 'Rejected by operator gateway' },
};

const CODE_BY_NAME = new Map(
  Object.entries(RECIPIENT_STATUS).map(([code, rule]) => [rule.name, Number(code)]),
);

/** The outcome of one recipient entry of a 201 answer. */
export function recipientOutcome(recipient: AtRecipient): SendOutcome {
  const code = Number(recipient.statusCode);
  const rule = Number.isInteger(code) ? RECIPIENT_STATUS[code] : undefined;
  if (!rule) {
    // Unknown: we cannot tell whether it was queued, so retrying could send it twice.
    return {
      status: 'permanent',
      code: `UnknownStatus${Number.isInteger(code) ? code : ''}`,
      reason: `Unrecognised recipient status ${String(recipient.statusCode)}`,
      alert: true,
    };
  }
  switch (rule.kind) {
    case 'accepted': {
      const id = recipient.messageId;
      if (!id || id === 'None') {
        return {
          status: 'permanent',
          code: 'MissingMessageId',
          reason: `${rule.name} without a messageId`,
          alert: true,
        };
      }
      return { status: 'accepted', providerMessageId: id };
    }
    case 'person':
      return { status: 'permanent', code: rule.name, reason: rule.reason };
    case 'account':
      return { status: 'permanent', code: rule.name, reason: rule.reason, alert: true };
    case 'retryable':
      return { status: 'retryable', code: rule.name, reason: rule.reason };
  }
}

export const AUTH_FAILURE_TEXT = 'The supplied authentication is invalid';

/**
 * A non-success HTTP answer (anything but a 2xx carrying SMSMessageData). The body is only
 * matched against known texts, never echoed (it may quote the request).
 */
export function httpFailureOutcome(
  httpStatus: number,
  bodyText: string,
  retryAfterHeader?: string | null,
): SendOutcome {
  if (httpStatus === 401 || bodyText.trim() === AUTH_FAILURE_TEXT) {
    return {
      status: 'permanent',
      code: 'AuthenticationFailed',
      reason: "Africa's Talking refused the username/apiKey",
      alert: true,
    };
  }
  if (httpStatus === 429) {
    const retryAfterMs = parseRetryAfter(retryAfterHeader);
    return {
      status: 'retryable',
      code: 'RateLimited',
      reason: 'HTTP 429',
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (httpStatus >= 500 || httpStatus === 408) {
    return { status: 'retryable', code: `Http${httpStatus}`, reason: `HTTP ${httpStatus}` };
  }
  // Other 4xx mean our request is wrong (missing field, bad username): a defect, not a blip.
  return {
    status: 'permanent',
    code: `Http${httpStatus}`,
    reason: `HTTP ${httpStatus} from Africa's Talking`,
    alert: true,
  };
}

function parseRetryAfter(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * A 2xx whose body has no recipient: AT answers e.g. `{"SMSMessageData":{"Message":
 * "InvalidSenderId","Recipients":[]}}` when the whole request is refused.
 */
export function emptyRecipientsOutcome(message: string | undefined): SendOutcome {
  const code = CODE_BY_NAME.get(message?.trim() ?? '');
  if (code !== undefined && RECIPIENT_STATUS[code]?.kind !== 'accepted') {
    return recipientOutcome({ statusCode: code });
  }
  return {
    status: 'permanent',
    code: 'NoRecipients',
    reason: "Africa's Talking accepted the request but listed no recipient",
    alert: true,
  };
}

// ---- Delivery reports ----------------------------------------------------------------------

export const DELIVERY_STATUSES = [
  'Sent',
  'Submitted',
  'Buffered',
  'Rejected',
  'Success',
  'Failed',
  'AbsentSubscriber',
  'Expired',
] as const;
export type AtDeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryReportEffect {
  /** The messages.status the report moves the row to. */
  messageStatus: 'sent' | 'delivered' | 'failed';
  /** No later report may change a row this report moved. */
  final: boolean;
}

export function isDeliveryStatus(value: string): value is AtDeliveryStatus {
  return (DELIVERY_STATUSES as readonly string[]).includes(value);
}

export function deliveryReportEffect(status: AtDeliveryStatus): DeliveryReportEffect {
  switch (status) {
    case 'Sent':
    case 'Submitted':
    case 'Buffered':
      return { messageStatus: 'sent', final: false };
    case 'Success':
      return { messageStatus: 'delivered', final: true };
    case 'Rejected':
    case 'Failed':
    case 'AbsentSubscriber':
    case 'Expired':
      return { messageStatus: 'failed', final: true };
  }
}
