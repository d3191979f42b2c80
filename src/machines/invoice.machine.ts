import { assign, enqueueActions, setup } from 'xstate';
import { effectActions, type OutboxEffect } from '../runtime/effects';
import type { MachineDefinition } from '../runtime/machine-definition';

/**
 * One invoice, from creation to PAID or CANCELLED. Pure: effects are named `outbox` actions
 * with deterministic keys, turned into rows by the runner.
 *
 *   READY ─DELIVERY_ACCEPTED→ SENT
 *   READY | SENT | FAILED | PARTIALLY_PAID ─PAYMENT_REQUESTED→ PAYMENT_INIT
 *   PAYMENT_INIT ─STK_REJECTED | PAYMENT_FAILED→ FAILED
 *   PAYMENT_INIT ─PAYMENT_CONFIRMED→ PAID (balance 0) | PARTIALLY_PAID (balance left)
 *   READY | SENT | FAILED | PARTIALLY_PAID ─CANCEL→ CANCELLED
 *
 * A delivery confirmed after a payment started is still recorded (deliveredVia). Final states
 * accept nothing: no root-level `on`, because transition() applies it even to a done snapshot.
 *
 * Decisions:
 * - CANCEL is refused in PAYMENT_INIT: the customer may be typing the PIN, and money arriving
 *   for a cancelled invoice would need a refund. Cancel after the push concludes.
 * - Every push counts as an attempt (partial or not): the bound protects customers from
 *   prompt spam, so the 6th PAYMENT_REQUESTED with the default maxAttempts of 5 is refused.
 * - A confirmation of an earlier attempt that was given up on (in FAILED, in PAYMENT_INIT while a
 *   newer push is out, or after a partial payment) still counts: the money arrived. Each payment
 *   id counts once.
 * - PARTIALLY_PAID is its own state so that lists can filter on it; PAID only at balance 0.
 */

export const INVOICE_MACHINE_KIND = 'invoice';
export const INVOICE_MACHINE_VERSION = 1;
export const DEFAULT_MAX_PAYMENT_ATTEMPTS = 5;

export const INVOICE_STATES = [
  'READY',
  'SENT',
  'PAYMENT_INIT',
  'PARTIALLY_PAID',
  'FAILED',
  'PAID',
  'CANCELLED',
  'EXPIRED',
] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

export interface InvoicePaymentOutcome {
  paymentId: string;
  outcome: string;
  code: number | string | null;
}

export interface InvoiceContext {
  invoiceId: string;
  ref: string;
  amount: number;
  amountPaid: number;
  attempts: number;
  maxAttempts: number;
  /** Deliveries asked for: creation is 1, each REMIND adds one. */
  deliveries: number;
  deliveredVia: string | null;
  pendingPaymentId: string | null;
  pendingAmount: number | null;
  checkoutRequestId: string | null;
  confirmedPaymentIds: string[];
  lastPaymentId: string | null;
  lastOutcome: InvoicePaymentOutcome | null;
  cancelledBy: string | null;
  /** Automatic reminders, armed as timers when the invoice first reaches the customer. */
  reminders: { at: string[]; afterDeliveryMs: number[] };
  remindersSent: number;
  lastReminderAt: string | null;
  expireAt: string | null;
}

export interface InvoiceInput {
  invoiceId: string;
  ref: string;
  amount: number;
  maxAttempts?: number;
  reminders?: { at: string[]; afterDeliveryMs: number[] };
  /** ISO time after which an unpaid invoice expires (its due date plus the grace period). */
  expireAt?: string | null;
}

export type InvoiceEvent =
  | { type: 'DELIVERY_ACCEPTED'; channel: string }
  | { type: 'DELIVERY_FAILED'; reason?: string }
  | { type: 'REMIND'; by?: string }
  | { type: 'PAYMENT_REQUESTED'; paymentId: string; amount: number; phone?: string }
  | { type: 'STK_ACCEPTED'; paymentId: string; checkoutRequestId: string }
  | { type: 'STK_REJECTED'; paymentId: string; code: string | number; message?: string }
  | { type: 'PAYMENT_CONFIRMED'; paymentId: string; amount: number; receipt: string }
  | { type: 'PAYMENT_FAILED'; paymentId: string; outcome: string; resultCode?: number | null }
  | { type: 'CANCEL'; by: string }
  /** From a timer; `firedAt` is stamped by the timer firer. */
  | { type: 'REMINDER_DUE'; n: number; firedAt?: string }
  | { type: 'EXPIRE'; firedAt?: string };

const REMINDER_GAP_MS = 23 * 3_600_000;
const reminderKeys = (context: InvoiceContext) =>
  Array.from(
    { length: context.reminders.at.length + context.reminders.afterDeliveryMs.length },
    (_, i) => `reminder:${i}`,
  );

const balanceOf = (context: InvoiceContext) => Math.max(0, context.amount - context.amountPaid);

const isNewPaymentId = (context: InvoiceContext, paymentId: string) =>
  !context.confirmedPaymentIds.includes(paymentId);

const confirmedAmount = (event: InvoiceEvent) =>
  event.type === 'PAYMENT_CONFIRMED' && Number.isInteger(event.amount) && event.amount > 0
    ? event.amount
    : 0;

const settles = (context: InvoiceContext, event: InvoiceEvent) =>
  context.amountPaid + confirmedAmount(event) >= context.amount;

const isPending = (context: InvoiceContext, event: InvoiceEvent) =>
  'paymentId' in event &&
  context.pendingPaymentId !== null &&
  event.paymentId === context.pendingPaymentId;

const deliveryEffect = (context: InvoiceContext): OutboxEffect => ({
  kind: 'invoice.deliver',
  key: `deliver:${context.deliveries}`,
  payload: { invoiceId: context.invoiceId },
});

const partialReceiptEffect = (context: InvoiceContext): OutboxEffect => ({
  kind: 'invoice.receipt',
  key: `receipt:${context.lastPaymentId}`,
  payload: { invoiceId: context.invoiceId, paymentId: context.lastPaymentId, partial: true },
});

const partialNotifyEffect = (context: InvoiceContext): OutboxEffect => ({
  kind: 'merchant.notify',
  key: `partial:${context.lastPaymentId}`,
  payload: {
    invoiceId: context.invoiceId,
    paymentId: context.lastPaymentId,
    topic: 'partially_paid',
  },
});

const isLateConfirmation = (context: InvoiceContext, event: InvoiceEvent) =>
  event.type === 'PAYMENT_CONFIRMED' &&
  confirmedAmount(event) > 0 &&
  isNewPaymentId(context, event.paymentId);

/** What an invoice that was sent and is not being paid right now (SENT, PARTIALLY_PAID, FAILED) accepts. */
const OPEN_INVOICE_EVENTS = {
  DELIVERY_ACCEPTED: { actions: ['scheduleReminders', 'recordDelivery'] },
  REMIND: { actions: ['countDelivery', 'queueDelivery'] },
  REMINDER_DUE: {
    guard: 'reminderAllowed',
    actions: ['countDelivery', 'recordReminder', 'queueDelivery'],
  },
  PAYMENT_REQUESTED: { guard: 'canStartPayment', target: 'PAYMENT_INIT' },
} as const;

/** Every unpaid state outside a push in flight can be cancelled or expire. */
const CLOSING_EVENTS = {
  CANCEL: { target: 'CANCELLED' },
  EXPIRE: { target: 'EXPIRED' },
} as const;

export const invoiceMachine = setup({
  types: {
    context: {} as InvoiceContext,
    input: {} as InvoiceInput,
    events: {} as InvoiceEvent,
  },
  actions: {
    ...effectActions,
    recordDelivery: assign({
      deliveredVia: ({ context, event }) =>
        event.type === 'DELIVERY_ACCEPTED' ? event.channel : context.deliveredVia,
    }),
    countDelivery: assign({ deliveries: ({ context }) => context.deliveries + 1 }),
    queueDelivery: enqueueActions(({ context, enqueue }) =>
      enqueue({ type: 'outbox', params: deliveryEffect(context) }),
    ),
    queuePartialNotices: enqueueActions(({ context, enqueue }) => {
      enqueue({ type: 'outbox', params: partialReceiptEffect(context) });
      enqueue({ type: 'outbox', params: partialNotifyEffect(context) });
    }),
    // Armed once, on the first delivery to the customer, whatever state the invoice is in.
    scheduleReminders: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'DELIVERY_ACCEPTED' || context.deliveredVia !== null) return;
      let n = 0;
      for (const at of context.reminders.at) {
        enqueue({
          type: 'setTimer',
          params: { key: `reminder:${n}`, at, event: { type: 'REMINDER_DUE', n } },
        });
        n += 1;
      }
      for (const delayMs of context.reminders.afterDeliveryMs) {
        enqueue({
          type: 'setTimer',
          params: { key: `reminder:${n}`, delayMs, event: { type: 'REMINDER_DUE', n } },
        });
        n += 1;
      }
    }),
    cancelReminders: enqueueActions(({ context, enqueue }) => {
      for (const key of reminderKeys(context)) enqueue({ type: 'cancelTimer', params: { key } });
      if (context.expireAt) enqueue({ type: 'cancelTimer', params: { key: 'expire' } });
    }),
    scheduleExpiry: enqueueActions(({ context, enqueue }) => {
      if (context.expireAt)
        enqueue({
          type: 'setTimer',
          params: { key: 'expire', at: context.expireAt, event: { type: 'EXPIRE' } },
        });
    }),
    recordReminder: assign(({ context, event }) => ({
      remindersSent: context.remindersSent + 1,
      lastReminderAt:
        event.type === 'REMINDER_DUE' ? (event.firedAt ?? null) : context.lastReminderAt,
    })),
    startAttempt: assign(({ context, event }) =>
      event.type === 'PAYMENT_REQUESTED'
        ? {
            attempts: context.attempts + 1,
            pendingPaymentId: event.paymentId,
            pendingAmount: event.amount,
            checkoutRequestId: null,
            lastPaymentId: event.paymentId,
          }
        : {},
    ),
    recordCheckout: assign({
      checkoutRequestId: ({ context, event }) =>
        event.type === 'STK_ACCEPTED' ? event.checkoutRequestId : context.checkoutRequestId,
    }),
    recordFailure: assign(({ event }) => ({
      pendingPaymentId: null,
      pendingAmount: null,
      lastOutcome:
        event.type === 'STK_REJECTED'
          ? { paymentId: event.paymentId, outcome: 'rejected', code: event.code }
          : event.type === 'PAYMENT_FAILED'
            ? { paymentId: event.paymentId, outcome: event.outcome, code: event.resultCode ?? null }
            : null,
    })),
    recordPayment: assign(({ context, event }) =>
      event.type === 'PAYMENT_CONFIRMED'
        ? {
            amountPaid: context.amountPaid + confirmedAmount(event),
            confirmedPaymentIds: [...context.confirmedPaymentIds, event.paymentId],
            lastPaymentId: event.paymentId,
            lastOutcome: { paymentId: event.paymentId, outcome: 'paid', code: 0 },
            // A late confirmation of an older attempt leaves a push in flight alone.
            ...(event.paymentId === context.pendingPaymentId
              ? { pendingPaymentId: null, pendingAmount: null }
              : {}),
          }
        : {},
    ),
    recordCancel: assign({
      cancelledBy: ({ context, event }) =>
        event.type === 'CANCEL' ? event.by : context.cancelledBy,
    }),
  },
  guards: {
    canStartPayment: ({ context, event }) =>
      event.type === 'PAYMENT_REQUESTED' &&
      context.attempts < context.maxAttempts &&
      typeof event.paymentId === 'string' &&
      event.paymentId.length > 0 &&
      Number.isInteger(event.amount) &&
      event.amount >= 1 &&
      event.amount <= balanceOf(context),
    isPendingPayment: ({ context, event }) => isPending(context, event),
    pendingPaymentSettles: ({ context, event }) =>
      isPending(context, event) && confirmedAmount(event) > 0 && settles(context, event),
    pendingPaymentConfirmed: ({ context, event }) =>
      isPending(context, event) && confirmedAmount(event) > 0,
    lateConfirmationSettles: ({ context, event }) =>
      isLateConfirmation(context, event) && settles(context, event),
    lateConfirmation: ({ context, event }) => isLateConfirmation(context, event),
    // Never two automatic reminders within a day, even if timers were re-armed or fired late.
    reminderAllowed: ({ context, event }) =>
      event.type === 'REMINDER_DUE' &&
      (context.lastReminderAt === null ||
        event.firedAt === undefined ||
        Date.parse(event.firedAt) - Date.parse(context.lastReminderAt) >= REMINDER_GAP_MS),
  },
}).createMachine({
  id: 'invoice',
  initial: 'READY',
  context: ({ input }) => ({
    invoiceId: input.invoiceId,
    ref: input.ref,
    amount: input.amount,
    amountPaid: 0,
    attempts: 0,
    maxAttempts: input.maxAttempts ?? DEFAULT_MAX_PAYMENT_ATTEMPTS,
    deliveries: 1,
    deliveredVia: null,
    pendingPaymentId: null,
    pendingAmount: null,
    checkoutRequestId: null,
    confirmedPaymentIds: [],
    lastPaymentId: null,
    lastOutcome: null,
    cancelledBy: null,
    reminders: input.reminders ?? { at: [], afterDeliveryMs: [] },
    remindersSent: 0,
    lastReminderAt: null,
    expireAt: input.expireAt ?? null,
  }),
  states: {
    READY: {
      entry: ['scheduleExpiry', 'queueDelivery'],
      on: {
        DELIVERY_ACCEPTED: {
          target: 'SENT',
          actions: [
            'scheduleReminders',
            'recordDelivery',
            {
              type: 'outbox',
              params: ({ context }) => ({
                kind: 'merchant.notify',
                key: 'sent',
                payload: {
                  invoiceId: context.invoiceId,
                  topic: 'sent',
                  channel: context.deliveredVia,
                },
              }),
            },
          ],
        },
        DELIVERY_FAILED: {
          actions: {
            type: 'outbox',
            params: ({ context }) => ({
              kind: 'merchant.notify',
              key: `undelivered:${context.deliveries}`,
              payload: { invoiceId: context.invoiceId, topic: 'undelivered' },
            }),
          },
        },
        REMIND: { actions: ['countDelivery', 'queueDelivery'] },
        PAYMENT_REQUESTED: { guard: 'canStartPayment', target: 'PAYMENT_INIT' },
        ...CLOSING_EVENTS,
      },
    },
    SENT: {
      on: {
        ...OPEN_INVOICE_EVENTS,
        ...CLOSING_EVENTS,
      },
    },
    PAYMENT_INIT: {
      entry: [
        'startAttempt',
        {
          type: 'outbox',
          params: ({ context }) => ({
            kind: 'mpesa.stk_push',
            key: `stk:${context.pendingPaymentId}`,
            payload: { paymentId: context.pendingPaymentId, invoiceId: context.invoiceId },
          }),
        },
      ],
      on: {
        DELIVERY_ACCEPTED: { actions: ['scheduleReminders', 'recordDelivery'] },
        STK_ACCEPTED: { guard: 'isPendingPayment', actions: 'recordCheckout' },
        STK_REJECTED: { guard: 'isPendingPayment', target: 'FAILED', actions: 'recordFailure' },
        PAYMENT_FAILED: { guard: 'isPendingPayment', target: 'FAILED', actions: 'recordFailure' },
        PAYMENT_CONFIRMED: [
          { guard: 'pendingPaymentSettles', target: 'PAID', actions: 'recordPayment' },
          {
            guard: 'pendingPaymentConfirmed',
            target: 'PARTIALLY_PAID',
            actions: ['recordPayment', 'queuePartialNotices'],
          },
          // An earlier attempt's money arriving while a new push is out still counts; the
          // new push's own result follows (as an overpayment if this one settled the invoice).
          { guard: 'lateConfirmationSettles', target: 'PAID', actions: 'recordPayment' },
          { guard: 'lateConfirmation', actions: ['recordPayment', 'queuePartialNotices'] },
        ],
      },
    },
    PARTIALLY_PAID: {
      on: {
        ...OPEN_INVOICE_EVENTS,
        PAYMENT_CONFIRMED: [
          { guard: 'lateConfirmationSettles', target: 'PAID', actions: 'recordPayment' },
          {
            guard: 'lateConfirmation',
            actions: ['recordPayment', 'queuePartialNotices'],
          },
        ],
        ...CLOSING_EVENTS,
      },
    },
    FAILED: {
      entry: [
        {
          type: 'outbox',
          params: ({ context }) => ({
            kind: 'merchant.notify',
            key: `failed:${context.lastPaymentId}`,
            payload: {
              invoiceId: context.invoiceId,
              paymentId: context.lastPaymentId,
              topic: 'payment_failed',
              outcome: context.lastOutcome?.outcome ?? null,
            },
          }),
        },
        {
          type: 'outbox',
          params: ({ context }) => ({
            kind: 'customer.payment_failed',
            key: `failed:${context.lastPaymentId}`,
            payload: {
              invoiceId: context.invoiceId,
              paymentId: context.lastPaymentId,
              outcome: context.lastOutcome?.outcome ?? null,
            },
          }),
        },
      ],
      on: {
        ...OPEN_INVOICE_EVENTS,
        PAYMENT_CONFIRMED: [
          { guard: 'lateConfirmationSettles', target: 'PAID', actions: 'recordPayment' },
          {
            guard: 'lateConfirmation',
            target: 'PARTIALLY_PAID',
            actions: ['recordPayment', 'queuePartialNotices'],
          },
        ],
        ...CLOSING_EVENTS,
      },
    },
    PAID: {
      type: 'final',
      entry: [
        'cancelReminders',
        {
          type: 'outbox',
          params: ({ context }) => ({
            kind: 'invoice.receipt',
            key: `receipt:${context.lastPaymentId}`,
            payload: { invoiceId: context.invoiceId, paymentId: context.lastPaymentId },
          }),
        },
        {
          type: 'outbox',
          params: ({ context }) => ({
            kind: 'merchant.notify',
            key: `paid:${context.lastPaymentId}`,
            payload: {
              invoiceId: context.invoiceId,
              paymentId: context.lastPaymentId,
              topic: 'paid',
            },
          }),
        },
      ],
    },
    // The due date and its grace period passed unpaid. A push in flight at that moment is let
    // finish (EXPIRE is not accepted in PAYMENT_INIT); the money then counts as usual.
    EXPIRED: {
      type: 'final',
      entry: [
        'cancelReminders',
        {
          type: 'outbox',
          params: ({ context }) => ({
            kind: 'invoice.expired_notice',
            key: 'expired',
            payload: { invoiceId: context.invoiceId, amountPaid: context.amountPaid },
          }),
        },
      ],
    },
    CANCELLED: {
      type: 'final',
      entry: [
        'recordCancel',
        'cancelReminders',
        {
          type: 'outbox',
          params: ({ context }) => ({
            kind: 'invoice.cancelled_notice',
            key: 'cancelled',
            payload: {
              invoiceId: context.invoiceId,
              by: context.cancelledBy,
              amountPaid: context.amountPaid,
            },
          }),
        },
      ],
    },
  },
});

export const invoiceDefinition: MachineDefinition<typeof invoiceMachine> = {
  kind: INVOICE_MACHINE_KIND,
  version: INVOICE_MACHINE_VERSION,
  machine: invoiceMachine,
  table: 'invoices',
  // Lists and reports read amount_paid without opening the snapshot.
  columnsFromSnapshot: (snapshot, { now, previous }) => {
    const entered = (state: InvoiceState) => snapshot.value === state && previous?.value !== state;
    const firstDelivered =
      snapshot.context.deliveredVia != null && previous?.context.deliveredVia == null;
    return {
      amount_paid: Number(snapshot.context.amountPaid ?? 0),
      ...(firstDelivered ? { sent_at: now } : {}),
      ...(entered('PAID') ? { paid_at: now, closed_at: now } : {}),
      ...(entered('CANCELLED') ? { cancelled_at: now, closed_at: now } : {}),
      ...(entered('EXPIRED') ? { closed_at: now } : {}),
    };
  },
};
