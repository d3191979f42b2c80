import { assign, setup } from 'xstate';
import type { FieldProblem } from '../common/i18n/problems';
import { replyMessage } from '../common/messaging/outbound-message';
import {
  replyOptions,
  sayReply,
  sayUnchecked,
  type StructuredReply,
} from '../common/messaging/reply';
import type { Locale } from '../config/app-config';
import { type DeliverEffect, effectActions, type SetTimerEffect } from '../runtime/effects';
import type { MachineDefinition } from '../runtime/machine-definition';
import {
  type CustomerChoice,
  type Draft,
  EMPTY_DRAFT,
  type FlowAt,
  type FlowStep,
  nextStep,
} from './conversation-flow';
import {
  ambiguousReply,
  draftCustomer,
  draftKeptReply,
  editListReply,
  helpReply,
  invalidReply,
  invoiceCreatedReply,
  languageQuestion,
  promptReply,
  replaceAskReply,
} from './conversation-replies';

/**
 * One chat (channel + phone) with the bot: the guided invoice flow and sign-up. Pure: the glue
 * (BotService) parses text, looks names up and creates invoices, then sends typed events;
 * every reply is a `deliver` effect keyed `reply:<seq>` that says what to say (a structured
 * reply), rendered in the merchant's language only when the message leaves.
 *
 *   IDLE ─START→ COLLECT.customer → (name, new numbers only) → amount → description → READY
 *   READY ─SEND {ref}→ IDLE;  READY ─EDIT {field}→ that step → READY
 *   COLLECT.* | READY ─BACK→ previous step;  ─CANCEL | CLOSE→ IDLE;  ─HELP→ same step, help shown
 *   IDLE ─REGISTER→ REGISTER.business → REGISTER.language ─REGISTERED→ IDLE
 *
 * Decisions:
 * - After each answer the flow goes to the first field still missing, so Edit from READY and a
 *   draft prefilled by a one-line command both come back to READY without a separate mode.
 * - Timers are database rows (setTimer), re-armed by every message in the flow: a nudge after
 *   5 quiet minutes (once), a close after 15. No XState `after`: it would live in memory.
 * - A one-line `invoice …` mid-flow only replaces the draft after a Yes (REPLACE_ASK).
 * - Every third bad answer in a row offers Cancel / Keep going instead of the re-prompt.
 */

export const CONVERSATION_MACHINE_KIND = 'conversation';
export const CONVERSATION_MACHINE_VERSION = 1;
export const NUDGE_AFTER_MS = 5 * 60_000;
export const CLOSE_AFTER_MS = 15 * 60_000;

export const CONVERSATION_STATES = [
  'IDLE',
  'COLLECT.customer',
  'COLLECT.name',
  'COLLECT.amount',
  'COLLECT.description',
  'READY',
  'REGISTER.business',
  'REGISTER.language',
] as const;

export type BotChannel = 'whatsapp' | 'sms';

export interface ConversationContext {
  conversationId: string;
  merchantId: string | null;
  peer: string;
  channel: BotChannel;
  locale: Locale;
  /** Replies so far: makes reply keys unique and deterministic. */
  seq: number;
  draft: Draft;
  /** Bad answers in a row at the current step. */
  tries: number;
  nudged: boolean;
  /** How many times the quiet timers were armed: their keys carry it. */
  armed: number;
  /** Customers offered for an ambiguous name; the answer is their number in the list. */
  choices: CustomerChoice[];
  /** Button / row ids of the last reply, in order: SMS answers "1", "2" map to them. */
  options: string[];
  /** A one-line invoice waiting for "replace your draft?". */
  pending: Draft | null;
  business: string | null;
}

export interface ConversationInput {
  conversationId: string;
  merchantId: string | null;
  peer: string;
  channel: BotChannel;
  locale: Locale;
}

export type EditField = 'customer' | 'amount' | 'description';

export type ConversationEvent =
  | { type: 'START'; amount?: number; description?: string }
  | { type: 'CUSTOMER_RESOLVED'; phone: string; name: string | null; saved: boolean }
  | { type: 'CUSTOMER_UNKNOWN'; name: string }
  | { type: 'CUSTOMER_AMBIGUOUS'; name: string; choices: CustomerChoice[] }
  | { type: 'ANSWER'; step: 'name'; value: string | null }
  | { type: 'ANSWER'; step: 'amount'; value: number }
  | { type: 'ANSWER'; step: 'description'; value: string }
  | { type: 'ANSWER'; step: 'business'; value: string }
  | { type: 'INVALID'; problem: FieldProblem | null }
  | { type: 'BACK' }
  | { type: 'CANCEL' }
  | { type: 'HELP' }
  | { type: 'KEEP_GOING' }
  | { type: 'SEND'; ref: string; invoiceId: string }
  | { type: 'EDIT'; field?: EditField }
  | { type: 'NUDGE' }
  | { type: 'CLOSE' }
  | { type: 'REPLACE_ASK'; draft: Draft }
  | { type: 'REPLACE_YES' }
  | { type: 'REPLACE_NO' }
  | { type: 'LOCALE'; locale: Locale }
  | { type: 'REGISTER' }
  | { type: 'REGISTERED'; merchantId: string; business: string; locale: Locale };

/** Which reply; made into a structured reply from context and event when the action runs. */
export type FlowReply =
  | { what: 'prompt'; at: FlowAt }
  | { what: 'help'; at: FlowAt }
  | { what: 'invalid'; at: FlowStep }
  | { what: 'kept'; at: FlowAt }
  | {
      what: 'text';
      key:
        | 'flow_cancelled'
        | 'flow_at_first_step'
        | 'flow_nudge'
        | 'flow_expired'
        | 'flow_nothing_to_cancel'
        | 'register_ask_business'
        | 'register_bad_business'
        | 'stranger_help';
    }
  | { what: 'replaceAsk' }
  | { what: 'editList' }
  | { what: 'unknownName' }
  | { what: 'ambiguous' }
  | { what: 'created' }
  | { what: 'language' }
  | { what: 'registered' };

export function replyFor(
  what: FlowReply,
  context: ConversationContext,
  event: ConversationEvent,
): StructuredReply {
  switch (what.what) {
    case 'prompt':
      return promptReply(what.at, context.draft);
    case 'help':
      return helpReply(what.at, context.draft);
    case 'invalid':
      return invalidReply(what.at, event.type === 'INVALID' ? event.problem : null, context.tries);
    case 'kept':
      return draftKeptReply(what.at, context.draft);
    case 'text':
      return sayReply(what.key);
    case 'replaceAsk':
      return replaceAskReply();
    case 'editList':
      return editListReply();
    case 'unknownName':
      return sayReply('name_unknown', {
        name: event.type === 'CUSTOMER_UNKNOWN' ? event.name : '',
      });
    case 'ambiguous':
      return ambiguousReply(event.type === 'CUSTOMER_AMBIGUOUS' ? event.name : '', context.choices);
    case 'created':
      return invoiceCreatedReply({
        ref: event.type === 'SEND' ? event.ref : '',
        customer: draftCustomer(context.draft),
        amount: context.draft.amount ?? 0,
        description: context.draft.description ?? '',
      });
    case 'language':
      return languageQuestion();
    case 'registered':
      return {
        key: 'register_done',
        body: sayUnchecked('register_done', { business: context.business ?? '' }),
      };
  }
}

/** The draft once this event is applied (the same function feeds guards and the assign). */
export function draftAfter(context: ConversationContext, event: ConversationEvent): Draft {
  const draft = context.draft;
  if (event.type === 'CUSTOMER_RESOLVED')
    return {
      ...draft,
      phone: event.phone,
      name: event.name ?? (event.saved ? null : draft.hint),
      saved: event.saved,
      nameAsked: false,
      hint: null,
    };
  if (event.type === 'CUSTOMER_UNKNOWN') return { ...draft, hint: event.name };
  if (event.type === 'REPLACE_YES') return context.pending ?? draft;
  if (event.type !== 'ANSWER') return draft;
  if (event.step === 'name') return { ...draft, name: event.value, nameAsked: true };
  if (event.step === 'amount') return { ...draft, amount: event.value };
  if (event.step === 'description') return { ...draft, description: event.value };
  return draft;
}

const validAnswer = (event: ConversationEvent): boolean => {
  if (event.type === 'CUSTOMER_RESOLVED')
    return typeof event.phone === 'string' && event.phone !== '';
  if (event.type !== 'ANSWER') return true;
  switch (event.step) {
    case 'name':
      return event.value === null || (typeof event.value === 'string' && event.value !== '');
    case 'amount':
      return Number.isInteger(event.value) && event.value >= 1 && event.value <= 250_000;
    case 'description':
    case 'business':
      return typeof event.value === 'string' && event.value.trim().length >= 2;
  }
};

type Args = { context: ConversationContext; event: ConversationEvent };

/** The delivery of a reply; runs after `bump`, so `seq` is already this reply's number. */
const replyEffect =
  (what: FlowReply) =>
  ({ context, event }: Args): DeliverEffect => ({
    key: `reply:${context.seq}`,
    message: replyMessage(
      { to: context.peer, channel: context.channel, conversationId: context.conversationId },
      context.locale,
      replyFor(what, context, event),
    ),
  });

/** One reply: count it (and remember its buttons), then deliver it. */
function say(what: FlowReply) {
  return [
    { type: 'bump' as const, params: what },
    { type: 'deliver' as const, params: replyEffect(what) },
  ];
}

/**
 * Every message in the flow re-arms both timers. Each arming gets fresh keys (the counter in
 * `armed`) and cancels the previous pair: a timer that already fired is spent, so re-using its
 * key would be deduplicated by the firer.
 */
const ARM = [
  { type: 'rearm' as const },
  {
    type: 'cancelTimer' as const,
    params: ({ context }: Args) => ({ key: `nudge:${context.armed - 1}` }),
  },
  {
    type: 'cancelTimer' as const,
    params: ({ context }: Args) => ({ key: `close:${context.armed - 1}` }),
  },
  {
    type: 'setTimer' as const,
    params: ({ context }: Args): SetTimerEffect => ({
      key: `nudge:${context.armed}`,
      delayMs: NUDGE_AFTER_MS,
      event: { type: 'NUDGE' },
    }),
  },
  {
    type: 'setTimer' as const,
    params: ({ context }: Args): SetTimerEffect => ({
      key: `close:${context.armed}`,
      delayMs: CLOSE_AFTER_MS,
      event: { type: 'CLOSE' },
    }),
  },
];
const DISARM = [
  {
    type: 'cancelTimer' as const,
    params: ({ context }: Args) => ({ key: `nudge:${context.armed}` }),
  },
  {
    type: 'cancelTimer' as const,
    params: ({ context }: Args) => ({ key: `close:${context.armed}` }),
  },
];

const text = (key: Extract<FlowReply, { what: 'text' }>['key']) => say({ what: 'text', key });

const TARGETS: Record<FlowAt, string> = {
  customer: '#conversation.COLLECT.customer',
  name: '#conversation.COLLECT.name',
  amount: '#conversation.COLLECT.amount',
  description: '#conversation.COLLECT.description',
  READY: '#conversation.READY',
};

/** An answer that moves the flow to `at`, the first field still missing once it is applied. */
function advance(at: FlowAt, answering: FlowStep | null) {
  return {
    guard: { type: 'nextIs' as const, params: { at, answering } },
    target: TARGETS[at],
    reenter: true,
    actions: [...ARM, 'applyDraft' as const, 'clearPending' as const],
  };
}

/** "Yes, replace": the pending one-line invoice becomes the draft and decides the next step. */
function replaceYes() {
  return (['customer', 'name', 'amount', 'description', 'READY'] as const).map((at) => ({
    guard: { type: 'pendingGoesTo' as const, params: { at } },
    target: TARGETS[at],
    reenter: true,
    actions: [...ARM, 'applyDraft' as const, 'clearPending' as const],
  }));
}

export const conversationMachine = setup({
  types: {
    context: {} as ConversationContext,
    input: {} as ConversationInput,
    events: {} as ConversationEvent,
  },
  actions: {
    ...effectActions,
    bump: assign(({ context, event }, params: FlowReply) => ({
      seq: context.seq + 1,
      options: replyOptions(replyFor(params, context, event)),
    })),
    rearm: assign({ nudged: false, armed: ({ context }) => context.armed + 1 }),
    applyDraft: assign({ draft: ({ context, event }) => draftAfter(context, event) }),
    startDraft: assign({
      draft: ({ event }) =>
        event.type === 'START'
          ? { ...EMPTY_DRAFT, amount: event.amount ?? null, description: event.description ?? null }
          : EMPTY_DRAFT,
      pending: null,
      choices: [],
    }),
    enterStep: assign({ tries: 0, choices: [] }),
    countTry: assign({ tries: ({ context }) => context.tries + 1 }),
    resetTries: assign({ tries: 0 }),
    storeChoices: assign({
      choices: ({ event }) => (event.type === 'CUSTOMER_AMBIGUOUS' ? event.choices : []),
    }),
    storePending: assign({
      pending: ({ event }) => (event.type === 'REPLACE_ASK' ? event.draft : null),
    }),
    clearPending: assign({ pending: null }),
    markNudged: assign({ nudged: true }),
    setLocale: assign({
      locale: ({ context, event }) => (event.type === 'LOCALE' ? event.locale : context.locale),
    }),
    setBusiness: assign({
      business: ({ context, event }) =>
        event.type === 'ANSWER' && event.step === 'business'
          ? event.value.trim()
          : context.business,
    }),
    registered: assign(({ context, event }) =>
      event.type === 'REGISTERED'
        ? { merchantId: event.merchantId, business: event.business, locale: event.locale }
        : { merchantId: context.merchantId },
    ),
  },
  guards: {
    nextIs: ({ context, event }, params: { at: FlowAt; answering: FlowStep | null }) => {
      if (!validAnswer(event)) return false;
      if (
        params.answering !== null &&
        !(event.type === 'ANSWER' && event.step === params.answering)
      )
        return false;
      return nextStep(draftAfter(context, event)) === params.at;
    },
    pendingGoesTo: ({ context, event }, params: { at: FlowAt }) =>
      context.pending !== null && nextStep(draftAfter(context, event)) === params.at,
    editIs: ({ event }, params: { field: EditField }) =>
      event.type === 'EDIT' && event.field === params.field,
    hasPending: ({ context }) => context.pending !== null,
    notNudged: ({ context }) => !context.nudged,
    sendable: ({ event }) =>
      event.type === 'SEND' && typeof event.ref === 'string' && event.ref !== '',
    nameWasAsked: ({ context }) => context.draft.nameAsked,
    isBusinessAnswer: ({ event }) =>
      event.type === 'ANSWER' && event.step === 'business' && validAnswer(event),
    hasChoices: ({ event }) => event.type === 'CUSTOMER_AMBIGUOUS' && event.choices.length > 1,
  },
}).createMachine({
  id: 'conversation',
  initial: 'IDLE',
  context: ({ input }) => ({
    conversationId: input.conversationId,
    merchantId: input.merchantId,
    peer: input.peer,
    channel: input.channel,
    locale: input.locale,
    seq: 0,
    draft: EMPTY_DRAFT,
    tries: 0,
    nudged: false,
    armed: 0,
    choices: [],
    options: [],
    pending: null,
    business: null,
  }),
  on: {
    LOCALE: { actions: 'setLocale' },
  },
  states: {
    IDLE: {
      entry: [...DISARM],
      on: {
        START: { target: 'COLLECT.customer', actions: [...ARM, 'startDraft'] },
        CANCEL: { actions: text('flow_nothing_to_cancel') },
        REGISTER: { target: 'REGISTER.business' },
      },
    },
    COLLECT: {
      initial: 'customer',
      on: {
        CANCEL: { target: 'IDLE', actions: text('flow_cancelled') },
        CLOSE: { target: 'IDLE', actions: text('flow_expired') },
        NUDGE: { guard: 'notNudged', actions: ['markNudged', ...text('flow_nudge')] },
        REPLACE_ASK: { actions: [...ARM, 'storePending', ...say({ what: 'replaceAsk' })] },
      },
      states: {
        customer: {
          entry: ['enterStep', ...say({ what: 'prompt', at: 'customer' })],
          on: {
            CUSTOMER_RESOLVED: [
              advance('name', null),
              advance('amount', null),
              advance('description', null),
              advance('READY', null),
            ],
            CUSTOMER_UNKNOWN: {
              actions: [...ARM, 'applyDraft', ...say({ what: 'unknownName' })],
            },
            CUSTOMER_AMBIGUOUS: {
              guard: 'hasChoices',
              actions: [...ARM, 'storeChoices', ...say({ what: 'ambiguous' })],
            },
            INVALID: { actions: [...ARM, 'countTry', ...say({ what: 'invalid', at: 'customer' })] },
            BACK: { actions: [...ARM, ...text('flow_at_first_step')] },
            HELP: { actions: [...ARM, ...say({ what: 'help', at: 'customer' })] },
            KEEP_GOING: {
              actions: [...ARM, 'resetTries', ...say({ what: 'prompt', at: 'customer' })],
            },
            REPLACE_YES: replaceYes(),
            REPLACE_NO: {
              guard: 'hasPending',
              actions: [...ARM, 'clearPending', ...say({ what: 'kept', at: 'customer' })],
            },
          },
        },
        name: {
          entry: ['enterStep', ...say({ what: 'prompt', at: 'name' })],
          on: {
            ANSWER: [
              advance('amount', 'name'),
              advance('description', 'name'),
              advance('READY', 'name'),
            ],
            INVALID: { actions: [...ARM, 'countTry', ...say({ what: 'invalid', at: 'name' })] },
            BACK: { target: 'customer', actions: [...ARM] },
            HELP: { actions: [...ARM, ...say({ what: 'help', at: 'name' })] },
            KEEP_GOING: { actions: [...ARM, 'resetTries', ...say({ what: 'prompt', at: 'name' })] },
            REPLACE_YES: replaceYes(),
            REPLACE_NO: {
              guard: 'hasPending',
              actions: [...ARM, 'clearPending', ...say({ what: 'kept', at: 'name' })],
            },
          },
        },
        amount: {
          entry: ['enterStep', ...say({ what: 'prompt', at: 'amount' })],
          on: {
            ANSWER: [advance('description', 'amount'), advance('READY', 'amount')],
            INVALID: { actions: [...ARM, 'countTry', ...say({ what: 'invalid', at: 'amount' })] },
            // The name question was only asked for a new number.
            BACK: [
              { guard: 'nameWasAsked', target: 'name', actions: [...ARM] },
              { target: 'customer', actions: [...ARM] },
            ],
            HELP: { actions: [...ARM, ...say({ what: 'help', at: 'amount' })] },
            KEEP_GOING: {
              actions: [...ARM, 'resetTries', ...say({ what: 'prompt', at: 'amount' })],
            },
            REPLACE_YES: replaceYes(),
            REPLACE_NO: {
              guard: 'hasPending',
              actions: [...ARM, 'clearPending', ...say({ what: 'kept', at: 'amount' })],
            },
          },
        },
        description: {
          entry: ['enterStep', ...say({ what: 'prompt', at: 'description' })],
          on: {
            ANSWER: [advance('READY', 'description')],
            INVALID: {
              actions: [...ARM, 'countTry', ...say({ what: 'invalid', at: 'description' })],
            },
            BACK: { target: 'amount', actions: [...ARM] },
            HELP: { actions: [...ARM, ...say({ what: 'help', at: 'description' })] },
            KEEP_GOING: {
              actions: [...ARM, 'resetTries', ...say({ what: 'prompt', at: 'description' })],
            },
            REPLACE_YES: replaceYes(),
            REPLACE_NO: {
              guard: 'hasPending',
              actions: [...ARM, 'clearPending', ...say({ what: 'kept', at: 'description' })],
            },
          },
        },
      },
    },
    READY: {
      entry: ['enterStep', ...say({ what: 'prompt', at: 'READY' })],
      on: {
        SEND: { guard: 'sendable', target: 'IDLE', actions: say({ what: 'created' }) },
        EDIT: [
          {
            guard: { type: 'editIs', params: { field: 'customer' } },
            target: 'COLLECT.customer',
            actions: [...ARM],
          },
          {
            guard: { type: 'editIs', params: { field: 'amount' } },
            target: 'COLLECT.amount',
            actions: [...ARM],
          },
          {
            guard: { type: 'editIs', params: { field: 'description' } },
            target: 'COLLECT.description',
            actions: [...ARM],
          },
          { actions: [...ARM, ...say({ what: 'editList' })] },
        ],
        BACK: { target: 'COLLECT.description', actions: [...ARM] },
        HELP: { actions: [...ARM, ...say({ what: 'help', at: 'READY' })] },
        KEEP_GOING: { actions: [...ARM, ...say({ what: 'prompt', at: 'READY' })] },
        CANCEL: { target: 'IDLE', actions: text('flow_cancelled') },
        CLOSE: { target: 'IDLE', actions: text('flow_expired') },
        NUDGE: { guard: 'notNudged', actions: ['markNudged', ...text('flow_nudge')] },
        REPLACE_ASK: { actions: [...ARM, 'storePending', ...say({ what: 'replaceAsk' })] },
        REPLACE_YES: replaceYes(),
        REPLACE_NO: {
          guard: 'hasPending',
          actions: [...ARM, 'clearPending', ...say({ what: 'kept', at: 'READY' })],
        },
      },
    },
    REGISTER: {
      initial: 'business',
      on: {
        CANCEL: { target: 'IDLE', actions: text('stranger_help') },
      },
      states: {
        business: {
          entry: text('register_ask_business'),
          on: {
            ANSWER: { guard: 'isBusinessAnswer', target: 'language', actions: 'setBusiness' },
            INVALID: { actions: text('register_bad_business') },
            HELP: { actions: text('register_ask_business') },
          },
        },
        language: {
          entry: say({ what: 'language' }),
          on: {
            REGISTERED: {
              target: '#conversation.IDLE',
              actions: ['registered', ...say({ what: 'registered' })],
            },
            BACK: { target: 'business' },
            INVALID: { actions: say({ what: 'language' }) },
            HELP: { actions: say({ what: 'language' }) },
          },
        },
      },
    },
  },
});

export const conversationDefinition: MachineDefinition<typeof conversationMachine> = {
  kind: CONVERSATION_MACHINE_KIND,
  version: CONVERSATION_MACHINE_VERSION,
  machine: conversationMachine,
  table: 'conversations',
};
