import {
  type CheckRow,
  evaluate,
  mapPromptsToPayments,
  renderTable,
  type RunFacts,
} from './invariants';

/** A check that cannot fail is a defect: each one is shown failing on a bad fact. */

const REF = 'INV-AAAA22';
const CUSTOMER = '254711000001';
const MERCHANT = '254722000001';

function goodFacts(): RunFacts {
  return {
    driven: [
      {
        ref: REF,
        amount: 100,
        customerMsisdn: CUSTOMER,
        merchantMsisdn: MERCHANT,
        outcome: 'paid',
      },
    ],
    invoices: [{ ref: REF, state: 'PAID', amount: 100, amountPaid: 100 }],
    payments: [
      {
        id: 'p1',
        ref: REF,
        status: 'succeeded',
        amount: 100,
        checkoutRequestId: 'ws_CO_1',
        initiatedAt: 1_000,
      },
    ],
    pushes: [
      {
        seq: 1,
        tag: 'A1',
        accountReference: 'INVAAAA22',
        amount: 100,
        outcome: 'prompted',
        checkoutRequestId: 'ws_CO_1',
        receivedAt: 1_100,
        paid: true,
      },
    ],
    messages: [
      {
        at: 2_000,
        channel: 'whatsapp',
        to: CUSTOMER,
        template: 'payment_receipt',
        params: ['KES 100', REF, 'TX00000001'],
        text: '',
      },
      {
        at: 2_000,
        channel: 'sms',
        to: MERCHANT,
        params: [],
        text: `Customer 1 paid KES 100 for invoice ${REF}.\nM-PESA receipt: TX00000001\nBalance: KES 0`,
      },
    ],
    deadOutbox: [],
    reconciliation: [],
    openPayments: [],
    unprocessedCallbacks: [],
    unconfirmedSends: [],
    faults: [{ name: 'database cut', start: 50_000, end: 53_000 }],
    endedAt: 100_000,
    harness: {
      minInvoices: 1,
      minInFlight: 1,
      minPushesInFlightAtKill: 20,
      maxWallMs: 600_000,
      peakInFlight: 1,
      pushesInFlightAtKill: 20,
      dbConnectionsCut: 3,
      outage500s: 1,
      outageHangs: 1,
      outagePushes: 1,
      callbacksTriple: 1,
      callbacksDropped: 1,
      callbacksBeforeAnswer: 1,
      maskedPhones: 1,
      pushesRefusedInvalid: 0,
      unexpectedExits: [],
      wallMs: 60_000,
    },
  };
}

const failed = (rows: CheckRow[]) => rows.filter((r) => !r.ok).map((r) => r.id);

describe('reliability invariants', () => {
  it('pass on a clean run', () => {
    const rows = evaluate(goodFacts());
    expect(failed(rows)).toEqual([]);
    expect(renderTable(rows, 'run')).toContain('| I4 ');
  });

  it.each([
    ['H1', (f: RunFacts) => (f.harness.minInvoices = 300)],
    ['H2', (f: RunFacts) => (f.harness.minInFlight = 10)],
    ['H3', (f: RunFacts) => (f.harness.pushesInFlightAtKill = 16)],
    ['H4', (f: RunFacts) => (f.harness.dbConnectionsCut = 0)],
    ['H5', (f: RunFacts) => (f.harness.outageHangs = 0)],
    ['H5', (f: RunFacts) => (f.harness.outagePushes = 0)],
    ['H6', (f: RunFacts) => (f.harness.callbacksDropped = 0)],
    ['H7', (f: RunFacts) => f.harness.unexpectedExits.push('B1 exited with 1')],
    ['H8', (f: RunFacts) => (f.harness.pushesRefusedInvalid = 1)],
    ['T', (f: RunFacts) => (f.harness.wallMs = 601_000)],
  ])('%s fails when the run did not do what it claims', (id, spoil) => {
    const facts = goodFacts();
    spoil(facts);
    expect(failed(evaluate(facts))).toEqual([id]);
  });

  it('I1 and I2: a paid invoice left in PAYMENT_INIT', () => {
    const facts = goodFacts();
    facts.invoices[0] = { ...facts.invoices[0], state: 'PAYMENT_INIT', amountPaid: 0 };
    facts.payments[0].status = 'pending';
    facts.openPayments = [facts.payments[0]];
    expect(failed(evaluate(facts))).toEqual(['I1', 'I2', 'I4', 'I10']);
  });

  it('I2 alone: an invoice nobody paid (no prompt) is still a failure of the run', () => {
    const facts = goodFacts();
    facts.driven.push({
      ref: 'INV-BBBB33',
      amount: 50,
      customerMsisdn: '254711000002',
      merchantMsisdn: MERCHANT,
      outcome: 'deadline',
    });
    facts.invoices.push({ ref: 'INV-BBBB33', state: 'FAILED', amount: 50, amountPaid: 0 });
    expect(failed(evaluate(facts))).toEqual(['I2']);
  });

  it('I3: two payments succeeded on one invoice', () => {
    const facts = goodFacts();
    facts.payments.push({
      ...facts.payments[0],
      id: 'p2',
      checkoutRequestId: 'ws_CO_2',
      initiatedAt: 1_150,
    });
    facts.pushes.push({
      ...facts.pushes[0],
      seq: 2,
      checkoutRequestId: 'ws_CO_2',
      receivedAt: 1_200,
    });
    const rows = evaluate(facts);
    expect(failed(rows)).toEqual(['I3', 'I4']);
  });

  it('I4: the customer paid twice (an orphaned prompt, then a retry) and was credited once', () => {
    const facts = goodFacts();
    // p0: its push answer was lost, the app failed it; the customer had paid it anyway.
    facts.payments.unshift({
      id: 'p0',
      ref: REF,
      status: 'failed',
      amount: 100,
      checkoutRequestId: null,
      initiatedAt: 500,
    });
    facts.pushes.unshift({
      seq: 0,
      tag: 'B1',
      accountReference: 'INVAAAA22',
      amount: 100,
      outcome: 'prompted',
      checkoutRequestId: 'ws_CO_0',
      receivedAt: 600,
      paid: true,
    });
    const rows = evaluate(facts);
    expect(failed(rows)).toEqual(['I4']);
    expect(rows.find((r) => r.id === 'I4')?.figure).toContain('1 customers charged more than once');

    // Knowable: the answer was lost but a callback got through (orphan matching could settle it).
    facts.pushes[0] = { ...facts.pushes[0], answerLost: true, callbackDelivered: true };
    expect(failed(evaluate(facts))).toEqual(['I4']);
    // Unknowable: answer and every callback lost; the second charge is forced by the run.
    facts.pushes[0] = { ...facts.pushes[0], answerLost: true, callbackDelivered: false };
    const forced = evaluate(facts);
    expect(failed(forced)).toEqual([]);
    expect(forced.find((r) => r.id === 'I4')?.figure).toContain('(+1 forced)');
  });

  it('I5: one payment prompted twice, and a prompt with no payment at all', () => {
    const facts = goodFacts();
    facts.pushes.push({
      ...facts.pushes[0],
      seq: 2,
      checkoutRequestId: 'ws_CO_9',
      receivedAt: 1_500,
      paid: false,
    });
    expect(mapPromptsToPayments(facts).map((m) => m.paymentId)).toEqual(['p1', 'p1']);
    expect(failed(evaluate(facts))).toEqual(['I5']);

    const orphan = goodFacts();
    orphan.pushes.push({
      ...orphan.pushes[0],
      seq: 3,
      checkoutRequestId: 'x',
      receivedAt: 10,
      paid: false,
    });
    expect(failed(evaluate(orphan))).toEqual(['I5']);
  });

  it('I6: a receipt sent twice to the customer, or to someone else', () => {
    const facts = goodFacts();
    facts.messages.push({ ...facts.messages[0], at: 3_000 });
    expect(failed(evaluate(facts))).toEqual(['I6']);

    const wrong = goodFacts();
    wrong.messages.push({ ...wrong.messages[1], to: '254733000000' });
    expect(failed(evaluate(wrong))).toEqual(['I6']);
  });

  it('I7: no receipt to the merchant', () => {
    const facts = goodFacts();
    facts.messages.pop();
    expect(failed(evaluate(facts))).toEqual(['I7']);
  });

  it('I7: a missing receipt is forced only when the app recorded its send unconfirmed at a fault', () => {
    const facts = goodFacts();
    facts.messages.pop();
    const unconfirmed = { ref: REF, recipient: `+${MERCHANT}`, purpose: 'merchant_notice' };
    facts.unconfirmedSends.push({ ...unconfirmed, at: 20_000 });
    expect(failed(evaluate(facts))).toEqual(['I7']);
    facts.unconfirmedSends[0].at = 51_000;
    expect(failed(evaluate(facts))).toEqual([]);
    facts.unconfirmedSends[0].recipient = '+254733000000';
    expect(failed(evaluate(facts))).toEqual(['I7']);
  });

  it('I8: a dead outbox row fails the run unless it died during a forced fault', () => {
    const facts = goodFacts();
    facts.deadOutbox.push({ id: '7', kind: 'whatsapp.send', lastError: 'boom', diedAt: 20_000 });
    expect(failed(evaluate(facts))).toEqual(['I8']);
    facts.deadOutbox[0].diedAt = 52_000;
    expect(failed(evaluate(facts))).toEqual([]);
  });

  it('I9: reconciliation items fail the run, except a payment nobody was prompted for in a fault window', () => {
    const facts = goodFacts();
    facts.reconciliation = [
      { issue: 'unmatched_callback', paymentId: null, checkoutRequestId: 'ws_CO_7', detail: null },
    ];
    expect(failed(evaluate(facts))).toEqual(['I9']);

    const unreadable = goodFacts();
    unreadable.reconciliation = { error: 'HTTP 500' };
    expect(failed(evaluate(unreadable))).toEqual(['I9']);

    const forced = goodFacts();
    forced.payments.push({
      id: 'p9',
      ref: REF,
      status: 'pending',
      amount: 100,
      checkoutRequestId: null,
      initiatedAt: 51_000,
    });
    forced.openPayments = [forced.payments[1]];
    forced.reconciliation = [
      { issue: 'stuck_unconfirmed', paymentId: 'p9', checkoutRequestId: null, detail: null },
    ];
    expect(failed(evaluate(forced))).toEqual([]);
  });

  it("I11: a retry's callback credited to the earlier, timed-out attempt", () => {
    const facts = goodFacts();
    // p0 timed out without a prompt; the customer retried (p1), and p1's CheckoutRequestID and
    // success were put on p0, leaving p1 open.
    facts.payments = [
      { ...facts.payments[0], id: 'p0', initiatedAt: 500 },
      { ...facts.payments[0], id: 'p1', status: 'pending', checkoutRequestId: null },
    ];
    facts.openPayments = [facts.payments[1]];
    expect(failed(evaluate(facts))).toEqual(['I10', 'I11']);
  });

  it('I10: a payment left open, or a callback never applied', () => {
    const facts = goodFacts();
    facts.unprocessedCallbacks.push({ externalId: 'ws_CO_5:0', receivedAt: 3_000 });
    expect(failed(evaluate(facts))).toEqual(['I10']);
  });
});
