/**
 * Africa's Talking's SMS vocabulary as the simulator speaks it, taken from PROTOCOLS.md §3 and
 * deliberately not from the app's client: a client that misread the protocol must meet a
 * simulator that read it independently, or the tests would only confirm the misreading.
 */

export interface AtRecipientStatus {
  /** The `status` text AT puts beside the code in a recipient entry. */
  name: string;
  /** 100, 101 and 102 mean AT took the message; every other code means it did not. */
  accepted: boolean;
}

/** Recipient statusCode of a send answer, PROTOCOLS.md §3. */
export const AT_RECIPIENT_STATUSES: Readonly<Record<number, AtRecipientStatus>> = {
  100: { name: 'Processed', accepted: true },
  101: { name: 'Sent', accepted: true },
  102: { name: 'Queued', accepted: true },
  401: { name: 'RiskHold', accepted: false },
  402: { name: 'InvalidSenderId', accepted: false },
  403: { name: 'InvalidPhoneNumber', accepted: false },
  404: { name: 'UnsupportedNumberType', accepted: false },
  405: { name: 'InsufficientBalance', accepted: false },
  406: { name: 'UserInBlacklist', accepted: false },
  407: { name: 'CouldNotRoute', accepted: false },
  409: { name: 'DoNotDisturbRejection', accepted: false },
  500: { name: 'InternalServerError', accepted: false },
  501: { name: 'GatewayError', accepted: false },
  502: { name: 'RejectedByGateway', accepted: false },
};

export const AT_RECIPIENT_CODES: readonly number[] = Object.keys(AT_RECIPIENT_STATUSES).map(Number);

/** What a recipient entry says for a refused number. */
export function refusedRecipientName(statusCode: number): string {
  return AT_RECIPIENT_STATUSES[statusCode]?.name ?? 'InternalServerError';
}

/** One recipient of the 201 answer, with the field types AT uses. */
export interface AtRecipientEntry {
  statusCode: number;
  number: string;
  status: string;
  cost: string;
  messageId: string;
}

/** The plain-text body of AT's HTTP 401 for a bad apiKey or username. */
export const AT_AUTH_FAILURE_TEXT = 'The supplied authentication is invalid';

/** Delivery report `status` values of PROTOCOLS.md §3. */
export const AT_REPORT_STATUSES = [
  'Sent',
  'Submitted',
  'Buffered',
  'Rejected',
  'Success',
  'Failed',
] as const;

/**
 * Not statuses in PROTOCOLS.md (AbsentSubscriber is listed there as a failureReason), but older
 * AT documentation reports them as statuses: the simulator can still send them so the app's
 * tolerance of such reports stays tested.
 */
export const AT_LEGACY_REPORT_STATUSES = ['AbsentSubscriber', 'Expired'] as const;

export const AT_SIMULATED_REPORT_STATUSES = [
  ...AT_REPORT_STATUSES,
  ...AT_LEGACY_REPORT_STATUSES,
] as const;
export type AtReportStatus = (typeof AT_SIMULATED_REPORT_STATUSES)[number];
