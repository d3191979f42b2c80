import { initialTransition, type SnapshotFrom, transition } from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import type { OutboxEffect } from '../runtime/effects';
import type { PersistedMachineSnapshot } from '../runtime/machine-definition';
import {
  INVOICE_STATES,
  invoiceDefinition,
  type InvoiceEvent,
  type InvoiceInput,
  invoiceMachine,
} from './invoice.machine';

type Snapshot = SnapshotFrom<typeof invoiceMachine>;
type Action = { type: string; params?: unknown };

const INVOICE_ID = '6f1c9a52-0d7e-4c1b-9a7e-2b1f3c4d5e6f';
const input = (over: Partial<InvoiceInput> = {}): InvoiceInput => ({
  invoiceId: INVOICE_ID,
  ref: 'INV-7KQ2MX',
  amount: 1000,
  ...over,
});

function start(over: Partial<InvoiceInput> = {}): [Snapshot, Action[]] {
  return initialTransition(invoiceMachine, input(over)) as [Snapshot, Action[]];
}

/** Like the runner: an event is accepted when it changes the snapshot or asks for effects. */
function send(snapshot: Snapshot, event: InvoiceEvent) {
  const [next, actions] = transition(invoiceMachine, snapshot, event) as [Snapshot, Action[]];
  return { next, actions, accepted: next !== snapshot || actions.length > 0 };
}

function run(events: InvoiceEvent[], over: Partial<InvoiceInput> = {}) {
  let [snapshot] = start(over);
  for (const event of events) {
    const result = send(snapshot, event);
    if (!result.accepted) throw new Error(`${event.type} refused in ${String(snapshot.value)}`);
    snapshot = result.next;
  }
  return snapshot;
}

const outboxOf = (actions: Action[]) =>
  actions.filter((a) => a.type === 'outbox').map((a) => a.params as OutboxEffect);

const request = (paymentId: string, amount = 1000): InvoiceEvent => ({
  type: 'PAYMENT_REQUESTED',
  paymentId,
  amount,
  phone: '+254712345678',
});
const reject = (paymentId: string): InvoiceEvent => ({
  type: 'STK_REJECTED',
  paymentId,
  code: 1,
  message: 'insufficient balance',
});
const confirm = (paymentId: string, amount = 1000): InvoiceEvent => ({
  type: 'PAYMENT_CONFIRMED',
  paymentId,
  amount,
  receipt: `R${paymentId.toUpperCase()}`,
});
const fail = (paymentId: string): InvoiceEvent => ({
  type: 'PAYMENT_FAILED',
  paymentId,
  outcome: 'cancelled',
  resultCode: 1032,
});

describe('invoice machine: the model', () => {
  /**
   * Every event the outside world can send, given where the invoice stands: pushes for the
   * whole or half the balance, results for the pending push, late results for the last
   * given-up push, and stale results for a payment nobody asked for.
   */
  function events(snapshot: Snapshot): InvoiceEvent[] {
    const c = snapshot.context;
    const balance = c.amount - c.amountPaid;
    const nextId = `p${c.attempts + 1}`;
    const pending = c.pendingPaymentId ?? 'none';
    const last = c.lastOutcome?.paymentId ?? 'none';
    return [
      { type: 'DELIVERY_ACCEPTED', channel: 'whatsapp' },
      { type: 'DELIVERY_FAILED', reason: 'unreachable' },
      { type: 'REMIND', by: 'merchant' },
      request(nextId, balance),
      request(nextId, Math.floor(balance / 2)),
      request(nextId, balance + 1),
      { type: 'STK_ACCEPTED', paymentId: pending, checkoutRequestId: `ws_CO_${pending}` },
      reject(pending),
      fail(pending),
      confirm(pending, c.pendingAmount ?? 1),
      confirm(last, balance),
      confirm(last, Math.floor(balance / 2)),
      confirm('stale', balance),
      { type: 'CANCEL', by: 'merchant' },
      { type: 'REMINDER_DUE', n: 0 },
      { type: 'EXPIRE' },
    ];
  }

  // REMIND only counts deliveries: leaving the counter out keeps the state space finite.
  const serializeState = (snapshot: Snapshot) =>
    JSON.stringify({
      value: snapshot.value,
      context: { ...snapshot.context, deliveries: 0, remindersSent: 0 },
    });
  const options = { input: input({ maxAttempts: 3 }), events, serializeState };

  it('reaches every state', () => {
    const paths = getShortestPaths(invoiceMachine, options);
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual([...INVOICE_STATES].sort());
    for (const state of INVOICE_STATES) {
      const path = paths.find((p) => p.state.value === state);
      // Replaying the path through transition() lands in the same place (no hidden state).
      const events = path!.steps
        .map((s) => s.event as InvoiceEvent)
        .filter((e) => !e.type.startsWith('xstate.'));
      expect(String(run(events).value)).toBe(state);
    }
  });

  it('exercises exactly the designed transitions, and no others', () => {
    const edges = adjacencyMapToArray(getAdjacencyMap(invoiceMachine, options));
    const taken = new Set<string>();
    for (const { state, event } of edges) {
      const result = send(state, event);
      if (result.accepted)
        taken.add(`${String(state.value)} -${event.type}-> ${String(result.next.value)}`);
    }
    const designed = [
      'READY -DELIVERY_ACCEPTED-> SENT',
      'READY -DELIVERY_FAILED-> READY',
      'READY -REMIND-> READY',
      'READY -PAYMENT_REQUESTED-> PAYMENT_INIT',
      'READY -CANCEL-> CANCELLED',
      'READY -EXPIRE-> EXPIRED',
      'SENT -DELIVERY_ACCEPTED-> SENT',
      'SENT -REMIND-> SENT',
      'SENT -REMINDER_DUE-> SENT',
      'SENT -PAYMENT_REQUESTED-> PAYMENT_INIT',
      'SENT -CANCEL-> CANCELLED',
      'SENT -EXPIRE-> EXPIRED',
      'PAYMENT_INIT -DELIVERY_ACCEPTED-> PAYMENT_INIT',
      'PAYMENT_INIT -STK_ACCEPTED-> PAYMENT_INIT',
      'PAYMENT_INIT -STK_REJECTED-> FAILED',
      'PAYMENT_INIT -PAYMENT_FAILED-> FAILED',
      'PAYMENT_INIT -PAYMENT_CONFIRMED-> PAID',
      'PAYMENT_INIT -PAYMENT_CONFIRMED-> PARTIALLY_PAID',
      'PAYMENT_INIT -PAYMENT_CONFIRMED-> PAYMENT_INIT',
      'PARTIALLY_PAID -DELIVERY_ACCEPTED-> PARTIALLY_PAID',
      'PARTIALLY_PAID -REMIND-> PARTIALLY_PAID',
      'PARTIALLY_PAID -REMINDER_DUE-> PARTIALLY_PAID',
      'PARTIALLY_PAID -PAYMENT_REQUESTED-> PAYMENT_INIT',
      'PARTIALLY_PAID -PAYMENT_CONFIRMED-> PAID',
      'PARTIALLY_PAID -PAYMENT_CONFIRMED-> PARTIALLY_PAID',
      'PARTIALLY_PAID -CANCEL-> CANCELLED',
      'PARTIALLY_PAID -EXPIRE-> EXPIRED',
      'FAILED -DELIVERY_ACCEPTED-> FAILED',
      'FAILED -REMIND-> FAILED',
      'FAILED -REMINDER_DUE-> FAILED',
      'FAILED -PAYMENT_REQUESTED-> PAYMENT_INIT',
      'FAILED -PAYMENT_CONFIRMED-> PAID',
      'FAILED -PAYMENT_CONFIRMED-> PARTIALLY_PAID',
      'FAILED -CANCEL-> CANCELLED',
      'FAILED -EXPIRE-> EXPIRED',
    ];
    expect([...taken].sort()).toEqual([...designed].sort());
  });

  it('keeps machine.config plain data: actions and guards by name, functions only in params', () => {
    const problems: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (typeof value === 'function') {
        if (!/\.params$/.test(path) && path !== 'context') problems.push(path);
        return;
      }
      if (value && typeof value === 'object')
        for (const [key, inner] of Object.entries(value))
          walk(inner, path ? `${path}.${key}` : key);
    };
    walk(invoiceMachine.config, '');
    expect(problems).toEqual([]);
  });
});

describe('invoice machine: effects and guards', () => {
  it('queues the first delivery on creation', () => {
    const [snapshot, actions] = start();
    expect(snapshot.value).toBe('READY');
    expect(outboxOf(actions)).toEqual([
      { kind: 'invoice.deliver', key: 'deliver:1', payload: { invoiceId: INVOICE_ID } },
    ]);
    expect(snapshot.context).toMatchObject({ amount: 1000, amountPaid: 0, attempts: 0 });
    expect(snapshot.context.maxAttempts).toBe(5);
  });

  it('tells the merchant once, and by which channel, when the invoice first reaches the customer', () => {
    const [ready] = start();
    const first = send(ready, { type: 'DELIVERY_ACCEPTED', channel: 'sms' });
    expect(first.next.value).toBe('SENT');
    expect(outboxOf(first.actions)).toEqual([
      {
        kind: 'merchant.notify',
        key: 'sent',
        payload: { invoiceId: INVOICE_ID, topic: 'sent', channel: 'sms' },
      },
    ]);
    const again = send(first.next, { type: 'DELIVERY_ACCEPTED', channel: 'whatsapp' });
    expect(outboxOf(again.actions)).toEqual([]);
  });

  it('arms the automatic reminders once, on the first delivery, and cancels them when paid', () => {
    const reminders = { at: ['2026-03-17T06:00:00.000Z'], afterDeliveryMs: [] };
    const [ready] = start({ reminders });
    const delivered = send(ready, { type: 'DELIVERY_ACCEPTED', channel: 'whatsapp' });
    const timers = delivered.actions.filter((a) => a.type === 'setTimer').map((a) => a.params);
    expect(timers).toEqual([
      { key: 'reminder:0', at: '2026-03-17T06:00:00.000Z', event: { type: 'REMINDER_DUE', n: 0 } },
    ]);
    const again = send(delivered.next, { type: 'DELIVERY_ACCEPTED', channel: 'sms' });
    expect(again.actions.filter((a) => a.type === 'setTimer')).toEqual([]);

    const due = send(delivered.next, {
      type: 'REMINDER_DUE',
      n: 0,
      firedAt: '2026-03-17T06:00:01Z',
    });
    expect(outboxOf(due.actions)).toEqual([
      { kind: 'invoice.deliver', key: 'deliver:2', payload: { invoiceId: INVOICE_ID } },
    ]);
    // A second reminder the same day is refused, the next day it goes.
    expect(
      send(due.next, { type: 'REMINDER_DUE', n: 1, firedAt: '2026-03-17T20:00:00Z' }).accepted,
    ).toBe(false);
    expect(
      send(due.next, { type: 'REMINDER_DUE', n: 1, firedAt: '2026-03-18T06:00:00Z' }).accepted,
    ).toBe(true);

    const paying = send(due.next, request('p1', 1000));
    const paid = send(paying.next, confirm('p1', 1000));
    expect(paid.next.value).toBe('PAID');
    expect(paid.actions.filter((a) => a.type === 'cancelTimer').map((a) => a.params)).toEqual([
      { key: 'reminder:0' },
    ]);
    expect(send(paid.next, { type: 'REMINDER_DUE', n: 0 }).accepted).toBe(false);
  });

  it('expires at the due date plus grace unless paid, with notices, and cancels its timers', () => {
    const expireAt = '2026-04-19T21:00:00.000Z';
    const [ready, entry] = start({ expireAt });
    expect(entry.filter((a) => a.type === 'setTimer').map((a) => a.params)).toEqual([
      { key: 'expire', at: expireAt, event: { type: 'EXPIRE' } },
    ]);
    const expired = send(ready, { type: 'EXPIRE' });
    expect(expired.next.value).toBe('EXPIRED');
    expect(outboxOf(expired.actions)).toEqual([
      {
        kind: 'invoice.expired_notice',
        key: 'expired',
        payload: { invoiceId: INVOICE_ID, amountPaid: 0 },
      },
    ]);
    expect(expired.actions.filter((a) => a.type === 'cancelTimer').map((a) => a.params)).toEqual([
      { key: 'expire' },
    ]);
    expect(send(expired.next, request('p1')).accepted).toBe(false);
    // A push in flight is let finish.
    const paying = send(ready, request('p1'));
    expect(send(paying.next, { type: 'EXPIRE' }).accepted).toBe(false);
    expect(start()[1].filter((a) => a.type === 'setTimer')).toEqual([]);
  });

  it('asks for an STK push with a key per payment, from READY as well as SENT', () => {
    const [ready] = start();
    const fromReady = send(ready, request('p1'));
    expect(fromReady.next.value).toBe('PAYMENT_INIT');
    expect(outboxOf(fromReady.actions)).toEqual([
      {
        kind: 'mpesa.stk_push',
        key: 'stk:p1',
        payload: { paymentId: 'p1', invoiceId: INVOICE_ID },
      },
    ]);
    const sent = run([{ type: 'DELIVERY_ACCEPTED', channel: 'sms' }]);
    expect(sent.value).toBe('SENT');
    expect(sent.context.deliveredVia).toBe('sms');
    expect(send(sent, request('p1')).next.value).toBe('PAYMENT_INIT');
  });

  it('refuses the sixth attempt with the default bound, and honours a smaller one', () => {
    const events: InvoiceEvent[] = [];
    for (let i = 1; i <= 5; i++) events.push(request(`p${i}`), reject(`p${i}`));
    const failed = run(events);
    expect(failed.value).toBe('FAILED');
    expect(failed.context.attempts).toBe(5);
    const sixth = send(failed, request('p6'));
    expect(sixth.accepted).toBe(false);
    expect(sixth.actions).toEqual([]);

    const bounded = run([request('p1'), fail('p1')], { maxAttempts: 1 });
    expect(send(bounded, request('p2')).accepted).toBe(false);
  });

  it('refuses a push for more than the balance, for nothing, or for a fraction', () => {
    const [ready] = start();
    for (const amount of [1001, 0, -5, 1.5])
      expect(send(ready, request('p1', amount)).accepted).toBe(false);
    const partly = run([request('p1', 400), confirm('p1', 400)]);
    expect(send(partly, request('p2', 601)).accepted).toBe(false);
    expect(send(partly, request('p2', 600)).accepted).toBe(true);
  });

  it('keeps a partly paid invoice open until the balance is zero', () => {
    const [ready] = start();
    let step = send(ready, request('p1', 400));
    step = send(step.next, { type: 'STK_ACCEPTED', paymentId: 'p1', checkoutRequestId: 'ws_1' });
    expect(step.next.context.checkoutRequestId).toBe('ws_1');
    step = send(step.next, confirm('p1', 400));
    expect(step.next.value).toBe('PARTIALLY_PAID');
    expect(step.next.context).toMatchObject({ amountPaid: 400, pendingPaymentId: null });
    expect(outboxOf(step.actions)).toEqual([
      {
        kind: 'invoice.receipt',
        key: 'receipt:p1',
        payload: { invoiceId: INVOICE_ID, paymentId: 'p1', partial: true },
      },
      {
        kind: 'merchant.notify',
        key: 'partial:p1',
        payload: { invoiceId: INVOICE_ID, paymentId: 'p1', topic: 'partially_paid' },
      },
    ]);
    // The same confirmation again (a duplicate callback) is not counted twice.
    expect(send(step.next, confirm('p1', 400)).accepted).toBe(false);

    step = send(step.next, request('p2', 600));
    step = send(step.next, confirm('p2', 600));
    expect(step.next.value).toBe('PAID');
    expect(step.next.status).toBe('done');
    expect(step.next.context.amountPaid).toBe(1000);
    expect(outboxOf(step.actions)).toEqual([
      {
        kind: 'invoice.receipt',
        key: 'receipt:p2',
        payload: { invoiceId: INVOICE_ID, paymentId: 'p2' },
      },
      {
        kind: 'merchant.notify',
        key: 'paid:p2',
        payload: { invoiceId: INVOICE_ID, paymentId: 'p2', topic: 'paid' },
      },
    ]);
  });

  it('notifies the merchant and the customer when a push fails', () => {
    const initiating = run([request('p1')]);
    const step = send(initiating, fail('p1'));
    expect(step.next.value).toBe('FAILED');
    expect(step.next.context.lastOutcome).toEqual({
      paymentId: 'p1',
      outcome: 'cancelled',
      code: 1032,
    });
    expect(outboxOf(step.actions)).toEqual([
      {
        kind: 'merchant.notify',
        key: 'failed:p1',
        payload: {
          invoiceId: INVOICE_ID,
          paymentId: 'p1',
          topic: 'payment_failed',
          outcome: 'cancelled',
        },
      },
      {
        kind: 'customer.payment_failed',
        key: 'failed:p1',
        payload: { invoiceId: INVOICE_ID, paymentId: 'p1', outcome: 'cancelled' },
      },
    ]);
    const rejected = send(run([request('p1')]), reject('p1'));
    expect(rejected.next.context.lastOutcome).toEqual({
      paymentId: 'p1',
      outcome: 'rejected',
      code: 1,
    });
  });

  it('ignores results for a payment that is not the pending one', () => {
    const initiating = run([request('p1')]);
    for (const event of [
      reject('p0'),
      fail('p0'),
      { type: 'STK_ACCEPTED', paymentId: 'p0', checkoutRequestId: 'ws_x' } as InvoiceEvent,
    ])
      expect(send(initiating, event).accepted).toBe(false);
  });

  it('counts money of an earlier attempt that arrives while a newer push is out', () => {
    const retrying = run([request('p1', 400), fail('p1'), request('p2', 1000)]);
    const partial = send(retrying, confirm('p1', 400));
    expect(partial.next.value).toBe('PAYMENT_INIT');
    expect(partial.next.context).toMatchObject({ amountPaid: 400, pendingPaymentId: 'p2' });
    expect(send(partial.next, confirm('p1', 400)).accepted).toBe(false);

    const settled = send(retrying, confirm('p1', 1000));
    expect(settled.next.value).toBe('PAID');
    expect(settled.next.context.amountPaid).toBe(1000);
  });

  it('counts a late confirmation of a push it had given up on', () => {
    const failed = run([request('p1'), fail('p1')]);
    const step = send(failed, confirm('p1', 1000));
    expect(step.next.value).toBe('PAID');
    expect(outboxOf(step.actions).map((e) => e.key)).toEqual(['receipt:p1', 'paid:p1']);
  });

  it('cancels an unpaid invoice once, and refuses to cancel a paid one or a pending push', () => {
    const [ready] = start();
    const cancelled = send(ready, { type: 'CANCEL', by: 'merchant' });
    expect(cancelled.next.value).toBe('CANCELLED');
    expect(cancelled.next.context.cancelledBy).toBe('merchant');
    expect(outboxOf(cancelled.actions)).toEqual([
      {
        kind: 'invoice.cancelled_notice',
        key: 'cancelled',
        payload: { invoiceId: INVOICE_ID, by: 'merchant', amountPaid: 0 },
      },
    ]);
    expect(send(cancelled.next, { type: 'CANCEL', by: 'merchant' }).accepted).toBe(false);
    expect(send(cancelled.next, request('p1')).accepted).toBe(false);

    expect(send(run([request('p1')]), { type: 'CANCEL', by: 'merchant' }).accepted).toBe(false);
    const paid = run([request('p1'), confirm('p1')]);
    expect(send(paid, { type: 'CANCEL', by: 'merchant' }).accepted).toBe(false);
  });

  it('behaves the same after a round trip through the database (JSON + resolveState)', () => {
    const restore = (snapshot: Snapshot): Snapshot => {
      const persisted = JSON.parse(
        JSON.stringify(invoiceMachine.getPersistedSnapshot(snapshot)),
      ) as PersistedMachineSnapshot;
      return invoiceMachine.resolveState({
        value: persisted.value as Snapshot['value'],
        context: persisted.context as unknown as Snapshot['context'],
      });
    };
    const paid = restore(run([request('p1'), confirm('p1')]));
    expect(send(paid, { type: 'CANCEL', by: 'merchant' }).accepted).toBe(false);
    expect(send(paid, confirm('p2')).accepted).toBe(false);
    const partly = restore(run([request('p1', 300), confirm('p1', 300)]));
    expect(send(partly, request('p2', 700)).next.value).toBe('PAYMENT_INIT');
  });

  it('keeps amount_paid in step with the snapshot', () => {
    const partly = run([request('p1', 300), confirm('p1', 300)]);
    const persisted = invoiceMachine.getPersistedSnapshot(
      partly,
    ) as unknown as PersistedMachineSnapshot;
    const now = new Date('2026-03-01T10:00:00Z');
    expect(
      invoiceDefinition.columnsFromSnapshot?.(persisted, { now, previous: persisted }),
    ).toEqual({
      amount_paid: 300,
    });
    const paid = invoiceMachine.getPersistedSnapshot(
      run([request('p1', 1000), confirm('p1', 1000)]),
    ) as unknown as PersistedMachineSnapshot;
    expect(invoiceDefinition.columnsFromSnapshot?.(paid, { now, previous: persisted })).toEqual({
      amount_paid: 1000,
      paid_at: now,
      closed_at: now,
    });
    expect(invoiceDefinition).toMatchObject({ kind: 'invoice', version: 1, table: 'invoices' });
  });
});
