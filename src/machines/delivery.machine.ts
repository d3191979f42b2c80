import { and, assign, enqueueActions, setup } from 'xstate';
import { effectActions } from '../runtime/effects';
import type { MachineDefinition } from '../runtime/machine-definition';

/**
 * One logical outbound message, from "send this to this person" to delivered or given up.
 * Pure: sends are `outbox` rows ('whatsapp.send', 'sms.send'), the fallback wait is a timer.
 *
 *   ROUTING ─(policy sms)→ SMS_PENDING, otherwise → WHATSAPP_PENDING
 *   WHATSAPP_PENDING ─SEND_ACCEPTED→ WAITING (auto) | WHATSAPP_SENT (pinned)
 *   WHATSAPP_PENDING | WAITING ─SEND_FALLBACK | SEND_FAILED | WA_FAILED | FALLBACK_TIMEOUT→ SMS_PENDING (auto)
 *   WHATSAPP_PENDING | WHATSAPP_SENT ─(same failures)→ FAILED (pinned whatsapp: never falls back)
 *   WHATSAPP_PENDING | WAITING | WHATSAPP_SENT | SMS_PENDING | FAILED ─DELIVERED→ DELIVERED
 *   SMS_PENDING ─SEND_ACCEPTED(sms)→ SMS_SENT;  ─SEND_FAILED(sms)→ FAILED
 *   SMS_SENT ─DELIVERED→ SMS_SENT (the late WhatsApp delivery is recorded; nothing is sent)
 *
 * Decisions:
 * - At most one SMS per delivery: SMS_PENDING is entered at most once (no transition leads
 *   back to WhatsApp) and its outbox key is fixed, so even a replayed entry is one row.
 * - Under 'auto' a permanent WhatsApp error (bad parameter, auth) also falls back to SMS: the
 *   person can still be reached, and ops see the error on the messages row and in the logs.
 * - The first channel to accept an invoice delivery (purpose invoice or reminder) tells the invoice machine
 *   (DELIVERY_ACCEPTED); a definite failure of every channel tells it DELIVERY_FAILED. Both go
 *   through the outbox with a fixed key, so each is said once per delivery.
 * - A DELIVERED status that outruns the send's own result (WHATSAPP_PENDING) counts as accepted.
 */

export const DELIVERY_MACHINE_KIND = 'delivery';
export const DELIVERY_MACHINE_VERSION = 1;
/** Outbox kind that carries a delivery's news to the invoice machine. */
export const DELIVERY_INVOICE_EVENT = 'delivery.invoice_event';
export const WHATSAPP_SEND = 'whatsapp.send';
export const SMS_SEND = 'sms.send';
/**
 * Purposes whose fate the invoice machine tracks. A receipt or a merchant notice also carries
 * its invoice id (for the records), but its delivery says nothing about the invoice's.
 */
export const INVOICE_DELIVERY_PURPOSES: readonly string[] = ['invoice', 'reminder'];

export const DELIVERY_STATES = [
  'ROUTING',
  'WHATSAPP_PENDING',
  'WAITING',
  'WHATSAPP_SENT',
  'SMS_PENDING',
  'SMS_SENT',
  'DELIVERED',
  'FAILED',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export type DeliveryPolicy = 'auto' | 'whatsapp' | 'sms';
export type DeliveryChannel = 'whatsapp' | 'sms';

export interface DeliveryContext {
  deliveryId: string;
  policy: DeliveryPolicy;
  purpose: string;
  invoiceId: string | null;
  fallbackAfterMs: number;
  /** The first channel that accepted the message. */
  acceptedVia: DeliveryChannel | null;
  deliveredVia: DeliveryChannel | null;
  whatsappMessageId: string | null;
  smsMessageId: string | null;
  whatsappError: string | null;
  smsError: string | null;
  /** Why SMS was used: 'send:<code>', 'status:<code>', 'timeout'. */
  fallbackReason: string | null;
  /** WhatsApp confirmed delivery after the SMS had gone. */
  whatsappDeliveredLate: boolean;
}

export interface DeliveryInput {
  deliveryId: string;
  policy: DeliveryPolicy;
  purpose: string;
  invoiceId?: string | null;
  fallbackAfterMs: number;
}

export type DeliveryEvent =
  | { type: 'SEND_ACCEPTED'; channel: DeliveryChannel; providerMessageId: string }
  | { type: 'SEND_FALLBACK'; channel: DeliveryChannel; code: string }
  | { type: 'SEND_FAILED'; channel: DeliveryChannel; code: string }
  | { type: 'DELIVERED'; status?: 'delivered' | 'read' }
  | { type: 'WA_FAILED'; code?: string | number | null }
  | { type: 'FALLBACK_TIMEOUT' };

const codeOf = (event: DeliveryEvent): string => {
  if (event.type === 'SEND_FALLBACK' || event.type === 'SEND_FAILED') return `send:${event.code}`;
  if (event.type === 'WA_FAILED') return `status:${event.code ?? 'unknown'}`;
  if (event.type === 'FALLBACK_TIMEOUT') return 'timeout';
  return 'unknown';
};

const tellsInvoice = (
  context: DeliveryContext,
): context is DeliveryContext & { invoiceId: string } =>
  context.invoiceId !== null && INVOICE_DELIVERY_PURPOSES.includes(context.purpose);

const channelOf = (event: DeliveryEvent): DeliveryChannel | null =>
  event.type === 'SEND_ACCEPTED' || event.type === 'SEND_FALLBACK' || event.type === 'SEND_FAILED'
    ? event.channel
    : null;

export const deliveryMachine = setup({
  types: {
    context: {} as DeliveryContext,
    input: {} as DeliveryInput,
    events: {} as DeliveryEvent,
  },
  actions: {
    ...effectActions,
    recordAccepted: assign(({ context, event }) => {
      if (event.type !== 'SEND_ACCEPTED') return {};
      return {
        acceptedVia: context.acceptedVia ?? event.channel,
        ...(event.channel === 'whatsapp'
          ? { whatsappMessageId: event.providerMessageId }
          : { smsMessageId: event.providerMessageId, deliveredVia: context.deliveredVia ?? 'sms' }),
      };
    }),
    recordWhatsAppDelivered: assign(({ context }) => ({
      acceptedVia: context.acceptedVia ?? 'whatsapp',
      deliveredVia: context.deliveredVia ?? ('whatsapp' as const),
    })),
    recordLateWhatsApp: assign({ whatsappDeliveredLate: true }),
    recordWhatsAppError: assign(({ event }) => ({
      whatsappError: codeOf(event),
      fallbackReason: codeOf(event),
    })),
    recordSmsError: assign(({ event }) => ({ smsError: codeOf(event) })),
    /** Tells the invoice (if any) who accepted first; the fixed key makes it once per delivery. */
    notifyInvoiceAccepted: enqueueActions(({ context, enqueue }) => {
      if (!tellsInvoice(context) || !context.acceptedVia) return;
      enqueue({
        type: 'outbox',
        params: {
          kind: DELIVERY_INVOICE_EVENT,
          key: 'invoice:accepted',
          payload: {
            invoiceId: context.invoiceId,
            dedupeKey: `delivery:${context.deliveryId}:accepted`,
            event: { type: 'DELIVERY_ACCEPTED', channel: context.acceptedVia },
          },
        },
      });
    }),
    notifyInvoiceFailed: enqueueActions(({ context, enqueue }) => {
      if (!tellsInvoice(context)) return;
      enqueue({
        type: 'outbox',
        params: {
          kind: DELIVERY_INVOICE_EVENT,
          key: 'invoice:failed',
          payload: {
            invoiceId: context.invoiceId,
            dedupeKey: `delivery:${context.deliveryId}:failed`,
            event: {
              type: 'DELIVERY_FAILED',
              reason: context.smsError ?? context.whatsappError ?? 'undeliverable',
            },
          },
        },
      });
    }),
  },
  guards: {
    smsOnly: ({ context }) => context.policy === 'sms',
    auto: ({ context }) => context.policy === 'auto',
    fromWhatsApp: ({ event }) => channelOf(event) === 'whatsapp',
    fromSms: ({ event }) => channelOf(event) === 'sms',
  },
}).createMachine({
  id: 'delivery',
  initial: 'ROUTING',
  context: ({ input }) => ({
    deliveryId: input.deliveryId,
    policy: input.policy,
    purpose: input.purpose,
    invoiceId: input.invoiceId ?? null,
    fallbackAfterMs: input.fallbackAfterMs,
    acceptedVia: null,
    deliveredVia: null,
    whatsappMessageId: null,
    smsMessageId: null,
    whatsappError: null,
    smsError: null,
    fallbackReason: null,
    whatsappDeliveredLate: false,
  }),
  states: {
    ROUTING: {
      always: [{ guard: 'smsOnly', target: 'SMS_PENDING' }, { target: 'WHATSAPP_PENDING' }],
    },
    WHATSAPP_PENDING: {
      entry: {
        type: 'outbox',
        params: ({ context }) => ({
          kind: WHATSAPP_SEND,
          key: 'whatsapp',
          payload: { deliveryId: context.deliveryId },
        }),
      },
      on: {
        SEND_ACCEPTED: [
          {
            guard: and(['fromWhatsApp', 'auto']),
            target: 'WAITING',
            actions: ['recordAccepted', 'notifyInvoiceAccepted'],
          },
          {
            guard: 'fromWhatsApp',
            target: 'WHATSAPP_SENT',
            actions: ['recordAccepted', 'notifyInvoiceAccepted'],
          },
        ],
        SEND_FALLBACK: [
          {
            guard: and(['fromWhatsApp', 'auto']),
            target: 'SMS_PENDING',
            actions: 'recordWhatsAppError',
          },
          {
            guard: 'fromWhatsApp',
            target: 'FAILED',
            actions: ['recordWhatsAppError', 'notifyInvoiceFailed'],
          },
        ],
        SEND_FAILED: [
          {
            guard: and(['fromWhatsApp', 'auto']),
            target: 'SMS_PENDING',
            actions: 'recordWhatsAppError',
          },
          {
            guard: 'fromWhatsApp',
            target: 'FAILED',
            actions: ['recordWhatsAppError', 'notifyInvoiceFailed'],
          },
        ],
        WA_FAILED: [
          { guard: 'auto', target: 'SMS_PENDING', actions: 'recordWhatsAppError' },
          { target: 'FAILED', actions: ['recordWhatsAppError', 'notifyInvoiceFailed'] },
        ],
        DELIVERED: {
          target: 'DELIVERED',
          actions: ['recordWhatsAppDelivered', 'notifyInvoiceAccepted'],
        },
      },
    },
    WAITING: {
      entry: {
        type: 'setTimer',
        params: ({ context }) => ({
          key: 'fallback',
          delayMs: context.fallbackAfterMs,
          event: { type: 'FALLBACK_TIMEOUT' },
        }),
      },
      on: {
        DELIVERED: {
          target: 'DELIVERED',
          actions: [
            { type: 'cancelTimer', params: { key: 'fallback' } },
            'recordWhatsAppDelivered',
          ],
        },
        WA_FAILED: { target: 'SMS_PENDING', actions: 'recordWhatsAppError' },
        FALLBACK_TIMEOUT: { target: 'SMS_PENDING', actions: 'recordWhatsAppError' },
      },
    },
    WHATSAPP_SENT: {
      on: {
        DELIVERED: { target: 'DELIVERED', actions: 'recordWhatsAppDelivered' },
        WA_FAILED: { target: 'FAILED', actions: ['recordWhatsAppError', 'notifyInvoiceFailed'] },
      },
    },
    SMS_PENDING: {
      entry: [
        { type: 'cancelTimer', params: { key: 'fallback' } },
        {
          type: 'outbox',
          params: ({ context }) => ({
            kind: SMS_SEND,
            key: 'sms',
            payload: { deliveryId: context.deliveryId },
          }),
        },
      ],
      on: {
        SEND_ACCEPTED: [
          {
            guard: 'fromSms',
            target: 'SMS_SENT',
            actions: ['recordAccepted', 'notifyInvoiceAccepted'],
          },
          // WhatsApp's own answer arriving after a status already sent us here.
          { guard: 'fromWhatsApp', actions: ['recordAccepted', 'notifyInvoiceAccepted'] },
        ],
        SEND_FAILED: {
          guard: 'fromSms',
          target: 'FAILED',
          actions: ['recordSmsError', 'notifyInvoiceFailed'],
        },
        SEND_FALLBACK: {
          guard: 'fromSms',
          target: 'FAILED',
          actions: ['recordSmsError', 'notifyInvoiceFailed'],
        },
        // WhatsApp made it after all before the SMS went: the sms.send handler skips it.
        DELIVERED: {
          target: 'DELIVERED',
          actions: ['recordWhatsAppDelivered', 'notifyInvoiceAccepted'],
        },
      },
    },
    SMS_SENT: {
      on: {
        DELIVERED: { actions: 'recordLateWhatsApp' },
      },
    },
    DELIVERED: { type: 'final' },
    FAILED: {
      on: {
        // A WhatsApp message accepted earlier may still arrive; the record should say so.
        DELIVERED: { target: 'DELIVERED', actions: 'recordWhatsAppDelivered' },
      },
    },
  },
});

export const deliveryDefinition: MachineDefinition<typeof deliveryMachine> = {
  kind: DELIVERY_MACHINE_KIND,
  version: DELIVERY_MACHINE_VERSION,
  machine: deliveryMachine,
  table: 'deliveries',
  columnsFromSnapshot: (snapshot) => ({
    delivered_via: snapshot.context.deliveredVia ?? null,
  }),
};
