import type { EntityManager } from 'typeorm';
import type { InvoicesService } from '../../src/invoices/invoices.service';
import { PaymentResultsService } from '../../src/payments/payment-results.service';
import type { PaymentRow } from '../../src/payments/payment.record';
import type { PaymentRepository } from '../../src/payments/payment.repository';
import type { ReconciliationQuery } from '../../src/payments/reconciliation.query';
import { ManualClock } from '../../src/runtime/clock';
import type { InboundEventRepository } from '../../src/runtime/inbound-event.repository';
import type { MachineRunner } from '../../src/runtime/machine-runner';
import type { OutboxService } from '../../src/runtime/outbox';
import type { Fake } from './typed-fake';

export type { Fake } from './typed-fake';

/**
 * Typed fakes for the payments services' specs (the middle test tier, as immich's server does it):
 * every fake is an object typed against the class it stands for, so a method added to a
 * payments repository, or a changed signature, fails to compile here until the fake follows.
 */

/** Every method of PaymentRepository, listed: the compiler checks the list is complete. */
export function newPaymentRepositoryFake(): Fake<PaymentRepository> {
  return {
    findById: jest.fn(),
    lockById: jest.fn(),
    findViewForMerchant: jest.fn(),
    findToPush: jest.fn(),
    findStatus: jest.fn(),
    findOpenIdForInvoice: jest.fn(),
    findOpenIdForInvoiceRef: jest.fn(),
    findIdByCheckoutRequestId: jest.fn(),
    findOtherIdWithReceipt: jest.fn(),
    findOtherIdWithCallback: jest.fn(),
    lockOrphanCandidates: jest.fn(),
    findInitiatingWithDeadPush: jest.fn(),
    lockCheckout: jest.fn(),
    insertInitiating: jest.fn(),
    markPushStarted: jest.fn(),
    markPushNotStarted: jest.fn(),
    failRefusedPush: jest.fn(),
    failDeadPush: jest.fn(),
    storeCheckout: jest.fn(),
    markPushAmbiguous: jest.fn(),
    countQueryAttempt: jest.fn(),
    markFailed: jest.fn(),
    markSucceeded: jest.fn(),
    flagOverpaid: jest.fn(),
    holdForAmountReview: jest.fn(),
    flagIfUnflagged: jest.fn(),
    setReceiptIfMissing: jest.fn(),
    recordReviewDecision: jest.fn(),
    attachOrphanCheckout: jest.fn(),
    holdForOrphanReview: jest.fn(),
  };
}

/** Every method of ReconciliationQuery, listed: the compiler checks the list is complete. */
export function newReconciliationQueryFake(): Fake<ReconciliationQuery> {
  return { driftingPayments: jest.fn() };
}

/**
 * Stands in for the caller's transaction. The services under test must reach the database only
 * through their repositories, so any SQL run on it directly fails the test.
 */
export function newTransactionFake(): EntityManager {
  const fake = {
    query: () =>
      Promise.reject(new Error('a payments service ran SQL itself, not through a repository')),
  };
  return fake as unknown as EntityManager;
}

/** A payments row with sensible defaults: a pending push of KES 500. */
export function paymentRow(overrides: Partial<PaymentRow> = {}): PaymentRow {
  return {
    id: 'payment-1',
    invoice_id: 'invoice-1',
    attempt: 1,
    phone: '+254712345678',
    amount: 500,
    merchant_request_id: 'merchant-request-1',
    checkout_request_id: 'ws_CO_1',
    status: 'pending',
    outcome: null,
    result_code: null,
    result_desc: null,
    mpesa_receipt: null,
    paid_amount: null,
    flagged_reason: null,
    review_decision: null,
    review_note: null,
    reviewed_at: null,
    query_attempts: 0,
    initiated_at: new Date('2026-01-15T06:00:00Z'),
    completed_at: null,
    push_started_at: new Date('2026-01-15T06:00:01Z'),
    matched_by: 'checkout_request_id',
    review_event_id: null,
    overpaid_amount: null,
    ...overrides,
  };
}

export interface PaymentResultsTestBed {
  sut: PaymentResultsService;
  payments: Fake<PaymentRepository>;
  invoices: Fake<InvoicesService, 'lockBalance'>;
  inboundEvents: Fake<InboundEventRepository, 'lockOpenByKeyPrefix' | 'markProcessed'>;
  outbox: Fake<OutboxService, 'enqueue'>;
  runner: Fake<MachineRunner, 'send'>;
  clock: ManualClock;
  tx: EntityManager;
}

/** PaymentResultsService wired to fakes; collaborators outside payments fake what it calls. */
export function newPaymentResultsService(): PaymentResultsTestBed {
  const bed = {
    payments: newPaymentRepositoryFake(),
    invoices: { lockBalance: jest.fn() },
    inboundEvents: { lockOpenByKeyPrefix: jest.fn(), markProcessed: jest.fn() },
    outbox: { enqueue: jest.fn() },
    runner: { send: jest.fn() },
    clock: new ManualClock('2026-01-15T09:05:00+03:00'),
    tx: newTransactionFake(),
  } satisfies Omit<PaymentResultsTestBed, 'sut'>;
  // The classes below keep private state, so a fake of their methods is cast to the class.
  const sut = new PaymentResultsService(
    bed.payments,
    bed.invoices as unknown as InvoicesService,
    bed.inboundEvents as unknown as InboundEventRepository,
    bed.outbox as unknown as OutboxService,
    bed.runner as unknown as MachineRunner,
    bed.clock,
  );
  return { sut, ...bed };
}
