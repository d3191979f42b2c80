/** What the invoice side needs from a mobile-money provider. Daraja implements it today. */

export interface StkPushRequest {
  /** E.164 Kenyan mobile. */
  phone: string;
  /** Whole shillings, 1 … 250,000. */
  amount: number;
  /** Shown to the customer on the prompt; the invoice ref (≤ 12 chars). */
  accountReference: string;
  /** ≤ 13 chars. */
  description: string;
}

export type StkPushResult =
  | {
      status: 'accepted';
      merchantRequestId: string;
      checkoutRequestId: string;
      customerMessage: string;
    }
  /** The provider refused the request; nothing reached the customer. */
  | { status: 'rejected'; code: string; message: string; retryable: boolean }
  /**
   * We cannot know whether a prompt was sent (timeout after sending, 5xx after sending,
   * network cut). Never push again blindly: hold the payment and query.
   */
  | { status: 'ambiguous'; reason: string };

export type StkQueryResult =
  | { status: 'pending'; reason: string }
  /** resultCode null: a non-numeric code, kept in rawResultCode. */
  | { status: 'final'; resultCode: number | null; rawResultCode: string; resultDesc: string }
  | { status: 'error'; code: string; message: string };

export interface PaymentProvider {
  stkPush(request: StkPushRequest): Promise<StkPushResult>;
  stkQuery(checkoutRequestId: string): Promise<StkQueryResult>;
}

export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');

/** What a final M-PESA result means for the customer. */
export type PaymentOutcome =
  | 'paid'
  | 'cancelled'
  | 'wrong_pin'
  | 'insufficient_funds'
  | 'timeout'
  | 'limit'
  | 'busy'
  | 'other'
  /** A non-numeric or undocumented ResultCode: ended, and listed by reconciliation. */
  | 'unknown';
