import { initialTransition, type SnapshotFrom, transition } from 'xstate';
import type { OutboxEffect, SetTimerEffect } from '../runtime/effects';
import type { PersistedMachineSnapshot } from '../runtime/machine-definition';
import {
  deliveryDefinition,
  type DeliveryEvent,
  type DeliveryInput,
  deliveryMachine,
} from './delivery.machine';

type Snapshot = SnapshotFrom<typeof deliveryMachine>;
type Action = { type: string; params?: unknown };

const DELIVERY_ID = '0b7e4a9c-1d2e-4f3a-8b5c-6d7e8f9a0b1c';
const INVOICE_ID = '6f1c9a52-0d7e-4c1b-9a7e-2b1f3c4d5e6f';
const input = (over: Partial<DeliveryInput> = {}): DeliveryInput => ({
  deliveryId: DELIVERY_ID,
  policy: 'auto',
  purpose: 'invoice',
  invoiceId: INVOICE_ID,
  fallbackAfterMs: 120_000,
  ...over,
});

function start(over: Partial<DeliveryInput> = {}): [Snapshot, Action[]] {
  return initialTransition(deliveryMachine, input(over)) as [Snapshot, Action[]];
}

function send(snapshot: Snapshot, event: DeliveryEvent) {
  const [next, actions] = transition(deliveryMachine, snapshot, event) as [Snapshot, Action[]];
  return { next, actions, accepted: next !== snapshot || actions.length > 0 };
}

function run(events: DeliveryEvent[], over: Partial<DeliveryInput> = {}) {
  let [snapshot] = start(over);
  const actions: Action[] = [];
  for (const event of events) {
    const result = send(snapshot, event);
    if (!result.accepted) throw new Error(`${event.type} refused in ${String(snapshot.value)}`);
    snapshot = result.next;
    actions.push(...result.actions);
  }
  return { snapshot, actions };
}

const outboxOf = (actions: Action[]) =>
  actions.filter((a) => a.type === 'outbox').map((a) => a.params as OutboxEffect);
const kindsOf = (actions: Action[]) => outboxOf(actions).map((e) => e.kind);

const waAccepted: DeliveryEvent = {
  type: 'SEND_ACCEPTED',
  channel: 'whatsapp',
  providerMessageId: 'wamid.1',
};
const smsAccepted: DeliveryEvent = {
  type: 'SEND_ACCEPTED',
  channel: 'sms',
  providerMessageId: 'ATXid_1',
};

describe('delivery machine', () => {
  it('auto: starts on WhatsApp and only uses the runner effects', () => {
    const [snapshot, actions] = start();
    expect(snapshot.value).toBe('WHATSAPP_PENDING');
    expect(outboxOf(actions)).toEqual([
      { kind: 'whatsapp.send', key: 'whatsapp', payload: { deliveryId: DELIVERY_ID } },
    ]);
    expect(actions.every((a) => ['outbox', 'setTimer', 'cancelTimer'].includes(a.type))).toBe(true);
  });

  it('pinned sms starts with the SMS', () => {
    const [snapshot, actions] = start({ policy: 'sms' });
    expect(snapshot.value).toBe('SMS_PENDING');
    expect(kindsOf(actions)).toEqual(['sms.send']);
  });

  it('accepted on WhatsApp: waits with a fallback timer, tells the invoice once', () => {
    const [s0] = start();
    const accepted = send(s0, waAccepted);
    expect(accepted.next.value).toBe('WAITING');
    const timer = accepted.actions.find((a) => a.type === 'setTimer')?.params as SetTimerEffect;
    expect(timer).toEqual({
      key: 'fallback',
      delayMs: 120_000,
      event: { type: 'FALLBACK_TIMEOUT' },
    });
    expect(outboxOf(accepted.actions)).toEqual([
      {
        kind: 'delivery.invoice_event',
        key: 'invoice:accepted',
        payload: {
          invoiceId: INVOICE_ID,
          dedupeKey: `delivery:${DELIVERY_ID}:accepted`,
          event: { type: 'DELIVERY_ACCEPTED', channel: 'whatsapp' },
        },
      },
    ]);
    const delivered = send(accepted.next, { type: 'DELIVERED', status: 'delivered' });
    expect(delivered.next.value).toBe('DELIVERED');
    expect(delivered.next.context.deliveredVia).toBe('whatsapp');
    expect(delivered.actions).toContainEqual(
      expect.objectContaining({ type: 'cancelTimer', params: { key: 'fallback' } }),
    );
    expect(outboxOf(delivered.actions)).toEqual([]);
    expect(send(delivered.next, { type: 'DELIVERED', status: 'read' }).accepted).toBe(false);
  });

  it('no invoice event for a delivery without an invoice', () => {
    const { actions } = run([waAccepted], { invoiceId: null, purpose: 'bot_reply' });
    expect(kindsOf(actions)).toEqual([]);
  });

  it('a notice about an invoice (receipt, merchant notice) does not speak for its delivery', () => {
    for (const purpose of ['merchant_notice', 'receipt']) {
      const accepted = run([waAccepted], { purpose });
      expect(kindsOf(accepted.actions)).toEqual([]);
      const failed = run(
        [
          { type: 'SEND_FALLBACK', channel: 'whatsapp', code: '131026' },
          { type: 'SEND_FAILED', channel: 'sms', code: 'InvalidPhoneNumber' },
        ],
        { purpose },
      );
      expect(kindsOf(failed.actions)).toEqual(['sms.send']);
    }
    expect(kindsOf(run([waAccepted], { purpose: 'reminder' }).actions)).toEqual([
      'delivery.invoice_event',
    ]);
  });

  it.each<[string, DeliveryEvent[]]>([
    [
      'a fallback-class send error',
      [{ type: 'SEND_FALLBACK', channel: 'whatsapp', code: '131026' }],
    ],
    ['a permanent send error', [{ type: 'SEND_FAILED', channel: 'whatsapp', code: '100' }]],
    ['a failed status', [waAccepted, { type: 'WA_FAILED', code: 131047 }]],
    ['a failed status before the send result', [{ type: 'WA_FAILED', code: 131026 }]],
    ['the fallback timer', [waAccepted, { type: 'FALLBACK_TIMEOUT' }]],
  ])('auto: %s leads to exactly one SMS', (_, events) => {
    const { snapshot, actions } = run(events);
    expect(snapshot.value).toBe('SMS_PENDING');
    expect(kindsOf(actions).filter((k) => k === 'sms.send')).toHaveLength(1);
    // Whatever WhatsApp says next, no second SMS.
    const again = send(snapshot, { type: 'WA_FAILED', code: 131047 });
    expect(again.accepted).toBe(false);
    expect(send(snapshot, { type: 'FALLBACK_TIMEOUT' }).accepted).toBe(false);
  });

  it('SMS accepted → SMS_SENT via sms; a late WhatsApp delivery is recorded and sends nothing', () => {
    const { snapshot } = run([waAccepted, { type: 'FALLBACK_TIMEOUT' }, smsAccepted]);
    expect(snapshot.value).toBe('SMS_SENT');
    expect(snapshot.context).toMatchObject({
      acceptedVia: 'whatsapp',
      deliveredVia: 'sms',
      fallbackReason: 'timeout',
    });
    const late = send(snapshot, { type: 'DELIVERED', status: 'delivered' });
    expect(late.accepted).toBe(true);
    expect(late.next.value).toBe('SMS_SENT');
    expect(late.next.context.whatsappDeliveredLate).toBe(true);
    expect(late.actions.filter((a) => a.type === 'outbox')).toEqual([]);
  });

  it('the SMS accepted first tells the invoice channel sms', () => {
    const { actions } = run([
      { type: 'SEND_FALLBACK', channel: 'whatsapp', code: '131026' },
      smsAccepted,
    ]);
    const events = outboxOf(actions)
      .filter((e) => e.kind === 'delivery.invoice_event')
      .map((e) => (e.payload as { event: unknown }).event);
    expect(events).toEqual([{ type: 'DELIVERY_ACCEPTED', channel: 'sms' }]);
  });

  it('SMS permanent failure → FAILED and DELIVERY_FAILED to the invoice', () => {
    const { snapshot, actions } = run([
      { type: 'SEND_FALLBACK', channel: 'whatsapp', code: '131026' },
      { type: 'SEND_FAILED', channel: 'sms', code: 'InvalidPhoneNumber' },
    ]);
    expect(snapshot.value).toBe('FAILED');
    expect(outboxOf(actions).filter((e) => e.kind === 'delivery.invoice_event')).toEqual([
      {
        kind: 'delivery.invoice_event',
        key: 'invoice:failed',
        payload: {
          invoiceId: INVOICE_ID,
          dedupeKey: `delivery:${DELIVERY_ID}:failed`,
          event: { type: 'DELIVERY_FAILED', reason: 'send:InvalidPhoneNumber' },
        },
      },
    ]);
  });

  it('a WhatsApp answer arriving after the SMS started is not taken for the SMS', () => {
    const { snapshot } = run([{ type: 'WA_FAILED', code: 131047 }, waAccepted]);
    expect(snapshot.value).toBe('SMS_PENDING');
    expect(snapshot.context.deliveredVia).toBeNull();
  });

  it('pinned whatsapp never falls back', () => {
    const failed = run([{ type: 'SEND_FALLBACK', channel: 'whatsapp', code: '131047' }], {
      policy: 'whatsapp',
    });
    expect(failed.snapshot.value).toBe('FAILED');
    expect(kindsOf(failed.actions)).not.toContain('sms.send');
    const accepted = run([waAccepted], { policy: 'whatsapp', invoiceId: null });
    expect(accepted.snapshot.value).toBe('WHATSAPP_SENT');
    expect(accepted.actions.some((a) => a.type === 'setTimer')).toBe(false);
    expect(
      run([waAccepted, { type: 'WA_FAILED', code: 131026 }], { policy: 'whatsapp' }).snapshot.value,
    ).toBe('FAILED');
  });

  it('pinned sms: a failure is final', () => {
    const { snapshot } = run([{ type: 'SEND_FAILED', channel: 'sms', code: 'UserInBlacklist' }], {
      policy: 'sms',
    });
    expect(snapshot.value).toBe('FAILED');
  });

  it('keeps delivered_via in step', () => {
    const { snapshot } = run([waAccepted, { type: 'DELIVERED', status: 'read' }]);
    const persisted = deliveryMachine.getPersistedSnapshot(
      snapshot,
    ) as unknown as PersistedMachineSnapshot;
    expect(
      deliveryDefinition.columnsFromSnapshot?.(persisted, { now: new Date(), previous: null }),
    ).toEqual({
      delivered_via: 'whatsapp',
    });
  });

  it('its definition is plain JSON (for the inspector and the export)', () => {
    expect(() => JSON.stringify(deliveryMachine.config)).not.toThrow();
    expect(deliveryDefinition).toMatchObject({ kind: 'delivery', table: 'deliveries', version: 1 });
  });
});
