/** How a simulated STK prompt ends. */
export const SIM_OUTCOMES = [
  'success',
  'cancelled',
  'wrong_pin',
  'insufficient_funds',
  'unreachable',
  /** Final (the query says paid) but the callback is never POSTed. */
  'no_callback',
  /** Success, with the same callback POSTed three times. */
  'duplicate_callbacks',
  /** Success, with the callback POSTed (and answered) before the push's HTTP response. */
  'callback_before_response',
  /** Success, with PhoneNumber masked (2547****149) or missing in the callback. */
  'masked_phone',
  /** Success for a smaller Amount than requested. */
  'partial_amount',
] as const;
export type SimOutcome = (typeof SIM_OUTCOMES)[number];

export const SIM_MODES = ['auto', 'interactive'] as const;
/** auto: the prompt resolves itself after a delay; interactive: it waits for /control/prompts/:id/respond. */
export type SimMode = (typeof SIM_MODES)[number];

export const PROMPT_ACTIONS = ['pin', 'wrong_pin', 'cancel', 'timeout'] as const;
export type PromptAction = (typeof PROMPT_ACTIONS)[number];

export type PhoneForm = 'masked' | 'missing';

/** A plan queued by POST /control/next-outcome for the next push (to one phone, or any). */
export interface QueuedOutcome {
  /** 2547…/2541…; undefined = the next push to any phone. */
  phone?: string;
  outcome: SimOutcome;
  delayMs?: number;
  /** The Amount the callback reports (success outcomes); partial_amount defaults to half. */
  amount?: number;
  mode?: SimMode;
  phoneForm?: PhoneForm;
}

export interface OutcomePlan {
  outcome: SimOutcome;
  delayMs: number;
  mode: SimMode;
  amount?: number;
  phoneForm?: PhoneForm;
  source: 'queued' | 'magic_amount' | 'default';
}

export interface SimSettings {
  mode: SimMode;
  defaultOutcome: SimOutcome;
  /** Delay before an auto prompt resolves and its callback is POSTed. */
  defaultDelayMs: number;
  /** Interactive prompts nobody answers end as 1037 after this long. */
  promptTimeoutMs: number;
  tokenTtlSeconds: number;
  /** Real Daraja may revoke the previous token when a new one is issued. */
  invalidatePreviousToken: boolean;
  /** How a query for a pending prompt answers: HTTP 500 500.001.1001, HTTP 200 ResultCode "4999", or both in turn. */
  queryPendingStyle: 'error' | 'result4999' | 'alternate';
  /** 0 = off. Over the limit, queries get 500.003.02 Spike Arrest Violation. */
  queryRateLimitPerMinute: number;
  /** Amount in the success callback as 1500.00 (the doc's sample) or 1500. */
  amountForm: 'decimal' | 'integer';
}

export const DEFAULT_SIM_SETTINGS: SimSettings = {
  mode: 'auto',
  defaultOutcome: 'success',
  defaultDelayMs: 1_500,
  promptTimeoutMs: 60_000,
  tokenTtlSeconds: 3599,
  invalidatePreviousToken: false,
  queryPendingStyle: 'error',
  queryRateLimitPerMinute: 0,
  amountForm: 'decimal',
};

export type FaultTarget = 'oauth' | 'push' | 'query';

/** A one-shot misbehaviour for the next call to an endpoint, to exercise the client's error paths. */
export interface SimFault {
  target: FaultTarget;
  /** error: answer with an error envelope; drop: close the socket; delay: answer late. */
  kind: 'error' | 'drop' | 'delay';
  httpStatus: number;
  errorCode: string;
  errorMessage: string;
  delayMs: number;
  /** Push only: start the prompt (lock, callback) before failing, as a real 5xx may have done. */
  afterProcessing: boolean;
  /** How many calls it applies to. */
  remaining: number;
}

export interface SimPush {
  merchantRequestId: string;
  checkoutRequestId: string;
  phone: string;
  amount: number;
  businessShortCode: string;
  transactionType: string;
  partyB: string;
  accountReference: string;
  transactionDesc: string;
  callbackUrl: string;
  plan: OutcomePlan;
  status: 'pending' | 'final';
  resultCode?: number;
  resultDesc?: string;
  receipt?: string;
  paidAmount?: number;
  createdAt: string;
  finalAt?: string;
  queries: number;
}

export interface SimRequestRecord {
  seq: number;
  at: string;
  kind: 'oauth' | 'push' | 'query';
  method: string;
  path: string;
  contentType?: string;
  authScheme?: string;
  body: unknown;
  status: number;
  response: unknown;
}

export interface SimCallbackRecord {
  checkoutRequestId: string;
  resultCode: number;
  copy: number;
  at: string;
  ok: boolean;
  status?: number;
  error?: string;
}

/** What a wire endpoint answers; `drop` closes the socket without an answer. */
export type SimReply = { status: number; body: unknown } | { drop: true };
