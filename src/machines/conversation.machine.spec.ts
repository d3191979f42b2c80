import { initialTransition, type SnapshotFrom, transition } from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { renderReply } from '../common/i18n/render-reply';
import { isStructuredMessage } from '../common/messaging/outbound-message';
import type { DeliverEffect, SetTimerEffect } from '../runtime/effects';
import { nextStep } from './conversation-flow';
import { stateName, type PersistedMachineSnapshot } from '../runtime/machine-definition';
import {
  CLOSE_AFTER_MS,
  CONVERSATION_STATES,
  type ConversationEvent,
  type ConversationInput,
  conversationMachine,
  NUDGE_AFTER_MS,
} from './conversation.machine';

type Snapshot = SnapshotFrom<typeof conversationMachine>;
type Action = { type: string; params?: unknown };

const CONVERSATION_ID = '0c4f0c0e-8a36-4a51-9a55-6a1f1b7e2a11';
const NEW_PHONE = '+254712345678';
const SAVED_PHONE = '+254722000111';

const input = (over: Partial<ConversationInput> = {}): ConversationInput => ({
  conversationId: CONVERSATION_ID,
  merchantId: '7a0f5f52-3c56-4d55-8f1b-0f6f2f3b9d10',
  peer: '+254700000001',
  channel: 'whatsapp',
  locale: 'en',
  ...over,
});

const nameOf = (s: Snapshot) =>
  stateName((s as unknown as PersistedMachineSnapshot).value as PersistedMachineSnapshot['value']);

function start(over: Partial<ConversationInput> = {}): Snapshot {
  return initialTransition(conversationMachine, input(over))[0];
}

function send(snapshot: Snapshot, event: ConversationEvent) {
  const [next, actions] = transition(conversationMachine, snapshot, event) as [Snapshot, Action[]];
  return { next, actions, accepted: next !== snapshot || actions.length > 0 };
}

/** A reply's delivery, rendered as it would leave (in the conversation's language). */
interface SentReply {
  key: string;
  payload: Record<string, unknown>;
}

const replies = (actions: Action[]): SentReply[] =>
  actions
    .filter((a) => a.type === 'deliver')
    .map((a) => {
      const { key, message } = a.params as DeliverEffect;
      if (!isStructuredMessage(message)) return { key, payload: message };
      const { reply, locale, ...rest } = message;
      return { key, payload: { ...rest, ...renderReply(locale, reply) } };
    });
const keysOf = (actions: Action[]) => replies(actions).map((r) => r.payload.replyKey);

/** Runs events in order, failing on the first refused one; returns the last snapshot and all reply keys. */
function run(events: ConversationEvent[], over: Partial<ConversationInput> = {}) {
  let snapshot = start(over);
  const keys: unknown[] = [];
  const effects: SentReply[] = [];
  for (const event of events) {
    const result = send(snapshot, event);
    if (!result.accepted) throw new Error(`${event.type} refused in ${nameOf(snapshot)}`);
    keys.push(...keysOf(result.actions));
    effects.push(...replies(result.actions));
    snapshot = result.next;
  }
  return { snapshot, keys, effects };
}

const newCustomer: ConversationEvent = {
  type: 'CUSTOMER_RESOLVED',
  phone: NEW_PHONE,
  name: null,
  saved: false,
};
const savedCustomer: ConversationEvent = {
  type: 'CUSTOMER_RESOLVED',
  phone: SAVED_PHONE,
  name: 'Mary',
  saved: true,
};
const amount = (value: number): ConversationEvent => ({ type: 'ANSWER', step: 'amount', value });
const description = (value: string): ConversationEvent => ({
  type: 'ANSWER',
  step: 'description',
  value,
});
const badAmount: ConversationEvent = { type: 'INVALID', problem: { problem: 'bad_amount' } };

const EVENTS: ConversationEvent[] = [
  { type: 'START' },
  newCustomer,
  savedCustomer,
  { type: 'CUSTOMER_UNKNOWN', name: 'Peter' },
  {
    type: 'CUSTOMER_AMBIGUOUS',
    name: 'John',
    choices: [
      { phone: '+254711000001', name: 'John Kamau' },
      { phone: '+254711000002', name: 'John Otieno' },
    ],
  },
  { type: 'ANSWER', step: 'name', value: 'Mary Wanjiku' },
  { type: 'ANSWER', step: 'name', value: null },
  amount(1500),
  description('Logo design'),
  badAmount,
  { type: 'INVALID', problem: null },
  { type: 'BACK' },
  { type: 'CANCEL' },
  { type: 'HELP' },
  { type: 'KEEP_GOING' },
  { type: 'SEND', ref: 'INV-7KQ2MX', invoiceId: '5d3c1f9a-1111-4a2b-8c3d-0e1f2a3b4c5d' },
  { type: 'EDIT' },
  { type: 'EDIT', field: 'customer' },
  { type: 'EDIT', field: 'amount' },
  { type: 'EDIT', field: 'description' },
  { type: 'NUDGE' },
  { type: 'CLOSE' },
  {
    type: 'REPLACE_ASK',
    draft: {
      phone: SAVED_PHONE,
      name: 'Mary',
      saved: true,
      nameAsked: false,
      amount: 900,
      description: 'Cleaning',
      hint: null,
    },
  },
  { type: 'REPLACE_YES' },
  { type: 'REPLACE_NO' },
  { type: 'REGISTER' },
  { type: 'LOCALE', locale: 'sw' },
  { type: 'ANSWER', step: 'business', value: 'Mama Mboga Ltd' },
  { type: 'REGISTERED', merchantId: 'm-1', business: 'Mama Mboga Ltd', locale: 'en' },
];

/** Finite abstraction of the context: which fields are filled, not their values or counters. */
const serializeState = (snapshot: Snapshot) => {
  const c = snapshot.context;
  return JSON.stringify({
    value: snapshot.value,
    next: nextStep(c.draft),
    saved: c.draft.saved,
    asked: c.draft.nameAsked,
    tries: Math.min(c.tries, 3),
    nudged: c.nudged,
    pending: c.pending !== null,
  });
};

describe('conversation machine: model', () => {
  const options = { input: input(), events: EVENTS, serializeState };
  const edges = adjacencyMapToArray(getAdjacencyMap(conversationMachine, options));

  it('explores a bounded model', () => {
    expect(edges.length).toBeLessThan(50_000);
  });

  it('reaches every state, and each shortest path replays to the same place', () => {
    const paths = getShortestPaths(conversationMachine, options);
    const reached = new Set(paths.map((p) => nameOf(p.state)));
    expect([...reached].sort()).toEqual([...CONVERSATION_STATES].sort());
    for (const state of CONVERSATION_STATES) {
      const path = paths.find((p) => nameOf(p.state) === state)!;
      const events = path.steps.map((s) => s.event).filter((e) => !e.type.startsWith('xstate.'));
      expect(nameOf(run(events as ConversationEvent[]).snapshot)).toBe(state);
    }
  });

  it('takes every transition of the design', () => {
    const taken = new Set<string>();
    for (const { state, event } of edges) {
      const result = send(state, event);
      if (result.accepted) taken.add(`${nameOf(state)} -${event.type}-> ${nameOf(result.next)}`);
    }
    const expected = [
      'IDLE -START-> COLLECT.customer',
      'IDLE -CANCEL-> IDLE',
      'IDLE -REGISTER-> REGISTER.business',
      'COLLECT.customer -CUSTOMER_RESOLVED-> COLLECT.name',
      'COLLECT.customer -CUSTOMER_RESOLVED-> COLLECT.amount',
      'COLLECT.customer -CUSTOMER_RESOLVED-> READY',
      'COLLECT.customer -CUSTOMER_UNKNOWN-> COLLECT.customer',
      'COLLECT.customer -CUSTOMER_AMBIGUOUS-> COLLECT.customer',
      'COLLECT.customer -INVALID-> COLLECT.customer',
      'COLLECT.customer -BACK-> COLLECT.customer',
      'COLLECT.name -ANSWER-> COLLECT.amount',
      'COLLECT.name -ANSWER-> READY',
      'COLLECT.name -BACK-> COLLECT.customer',
      'COLLECT.amount -ANSWER-> COLLECT.description',
      'COLLECT.amount -ANSWER-> READY',
      'COLLECT.amount -BACK-> COLLECT.name',
      'COLLECT.amount -BACK-> COLLECT.customer',
      'COLLECT.amount -INVALID-> COLLECT.amount',
      'COLLECT.amount -KEEP_GOING-> COLLECT.amount',
      'COLLECT.description -ANSWER-> READY',
      'COLLECT.description -BACK-> COLLECT.amount',
      'READY -SEND-> IDLE',
      'READY -EDIT-> READY',
      'READY -EDIT-> COLLECT.customer',
      'READY -EDIT-> COLLECT.amount',
      'READY -EDIT-> COLLECT.description',
      'READY -BACK-> COLLECT.description',
      'READY -HELP-> READY',
      'READY -REPLACE_ASK-> READY',
      'READY -REPLACE_YES-> READY',
      'READY -REPLACE_NO-> READY',
      'REGISTER.business -ANSWER-> REGISTER.language',
      'REGISTER.business -CANCEL-> IDLE',
      'REGISTER.language -REGISTERED-> IDLE',
      'REGISTER.language -BACK-> REGISTER.business',
    ];
    for (const step of ['customer', 'name', 'amount', 'description'])
      for (const type of ['CANCEL', 'CLOSE', 'HELP', 'NUDGE', 'REPLACE_ASK', 'REPLACE_NO'])
        expected.push(
          `COLLECT.${step} -${type}-> ${type === 'CANCEL' || type === 'CLOSE' ? 'IDLE' : `COLLECT.${step}`}`,
        );
    expected.push('READY -CANCEL-> IDLE', 'READY -CLOSE-> IDLE', 'READY -NUDGE-> READY');
    const missing = expected.filter((e) => !taken.has(e));
    expect(missing).toEqual([]);
    // Nothing leaves the flow except to IDLE, and nothing times out outside the flow.
    for (const edge of taken) {
      if (/ -(NUDGE|CLOSE)-> /.test(edge)) expect(edge).toMatch(/^(COLLECT|READY)/);
    }
  });

  it("takes every event each state declares (its own and its parents')", () => {
    type Node = {
      path: string[];
      on: Record<string, unknown>;
      states: Record<string, Node>;
      parent?: Node;
    };
    const declared = new Set<string>();
    const visit = (node: Node) => {
      const children = Object.values(node.states);
      if (children.length > 0) return children.forEach(visit);
      for (let n: Node | undefined = node; n; n = n.parent)
        for (const type of Object.keys(n.on)) declared.add(`${node.path.join('.')} ${type}`);
    };
    visit(conversationMachine.root as unknown as Node);
    const taken = new Set<string>();
    for (const { state, event } of edges)
      if (send(state, event).accepted) taken.add(`${nameOf(state)} ${event.type}`);
    expect(declared.size).toBeGreaterThan(70);
    expect([...declared].filter((d) => !taken.has(d))).toEqual([]);
  });

  it('keys replies by a counter, keeps button titles short, re-arms timers on every message', () => {
    for (const { state, event } of edges) {
      const result = send(state, event);
      if (!result.accepted) continue;
      const sent = replies(result.actions);
      sent.forEach((r, i) => expect(r.key).toBe(`reply:${state.context.seq + i + 1}`));
      for (const r of sent) {
        const content = r.payload.content as { type: string; buttons?: { title: string }[] };
        if (content.type === 'buttons') {
          expect(content.buttons!.length).toBeLessThanOrEqual(3);
          for (const b of content.buttons!) expect([...b.title].length).toBeLessThanOrEqual(20);
          expect(typeof r.payload.smsText).toBe('string');
        }
        expect(r.payload).toMatchObject({ to: '+254700000001', channel: 'whatsapp' });
      }
      const from = nameOf(state);
      const to = nameOf(result.next);
      const userEvent = !['NUDGE', 'CLOSE', 'CANCEL', 'SEND', 'LOCALE'].includes(event.type);
      if (/^(COLLECT|READY)/.test(from) && /^(COLLECT|READY)/.test(to) && userEvent) {
        const timers = result.actions
          .filter((a) => a.type === 'setTimer')
          .map((a) => a.params as SetTimerEffect);
        const armed = result.next.context.armed;
        expect(armed).toBe(state.context.armed + 1);
        expect(timers).toEqual([
          { key: `nudge:${armed}`, delayMs: NUDGE_AFTER_MS, event: { type: 'NUDGE' } },
          { key: `close:${armed}`, delayMs: CLOSE_AFTER_MS, event: { type: 'CLOSE' } },
        ]);
        const cancelled = result.actions
          .filter((a) => a.type === 'cancelTimer')
          .map((a) => (a.params as { key: string }).key);
        expect(cancelled).toEqual([`nudge:${armed - 1}`, `close:${armed - 1}`]);
      }
      if (to === 'IDLE' && from !== 'IDLE') {
        expect(result.actions.filter((a) => a.type === 'cancelTimer')).toHaveLength(2);
      }
    }
  });
});

describe('conversation machine: prompts', () => {
  it('walks a new customer through name, amount and description to the preview', () => {
    const { snapshot, keys, effects } = run([
      { type: 'START' },
      newCustomer,
      { type: 'ANSWER', step: 'name', value: 'Mary Wanjiku' },
      amount(1500),
      description('Logo design'),
    ]);
    expect(keys).toEqual([
      'flow_ask_customer',
      'flow_ask_name',
      'flow_ask_amount',
      'flow_ask_description',
      'flow_preview',
    ]);
    expect(nameOf(snapshot)).toBe('READY');
    const preview = effects[4].payload;
    expect(preview.content).toMatchObject({
      type: 'buttons',
      body: expect.stringContaining('To: Mary Wanjiku (0712 345 678)\nAmount: KES 1,500'),
      buttons: [
        { id: 'flow:send', title: 'Send' },
        { id: 'flow:edit', title: 'Edit' },
        { id: 'flow:cancel', title: 'Cancel' },
      ],
    });
    expect(preview.smsText).toMatch(/Reply 1 for Send\nReply 2 for Edit\nReply 3 for Cancel$/);
    expect(snapshot.context.options).toEqual(['flow:send', 'flow:edit', 'flow:cancel']);
  });

  it('skips the name for a saved customer, goes back, and edits the amount from READY', () => {
    const { snapshot, keys } = run([
      { type: 'START' },
      savedCustomer,
      amount(1500),
      { type: 'BACK' },
      amount(2000),
      description('Logo design'),
      { type: 'EDIT' },
      { type: 'EDIT', field: 'amount' },
      amount(2500),
    ]);
    expect(keys).toEqual([
      'flow_ask_customer',
      'flow_ask_amount',
      'flow_ask_description',
      'flow_ask_amount',
      'flow_ask_description',
      'flow_preview',
      'flow_edit_prompt',
      'flow_ask_amount',
      'flow_preview',
    ]);
    expect(nameOf(snapshot)).toBe('READY');
    expect(snapshot.context.draft).toMatchObject({ amount: 2500, description: 'Logo design' });
  });

  it('re-prompts bad amounts with an example and offers to cancel after the third', () => {
    const { snapshot, keys, effects } = run([
      { type: 'START' },
      savedCustomer,
      badAmount,
      { type: 'INVALID', problem: { problem: 'amount_too_large' } },
      badAmount,
    ]);
    expect(keys.slice(2)).toEqual([
      'err_bad_amount',
      'err_amount_too_large',
      'flow_too_many_tries',
    ]);
    expect(effects[2].payload.content).toMatchObject({
      body: expect.stringContaining('Example: 1500'),
    });
    expect(snapshot.context.options).toEqual(['flow:cancel', 'flow:keep']);
    const kept = send(snapshot, { type: 'KEEP_GOING' });
    expect(keysOf(kept.actions)).toEqual(['flow_ask_amount']);
    expect(kept.next.context.tries).toBe(0);
  });

  it('shows help on the same step, and cancels from anywhere', () => {
    const { snapshot, effects } = run([{ type: 'START' }, savedCustomer, { type: 'HELP' }]);
    expect(nameOf(snapshot)).toBe('COLLECT.amount');
    expect(effects[2].payload.replyKey).toBe('help_flow');
    expect((effects[2].payload.content as { body: string }).body).toContain('How much is');
    const cancelled = send(snapshot, { type: 'CANCEL' });
    expect(keysOf(cancelled.actions)).toEqual(['flow_cancelled']);
    expect(nameOf(cancelled.next)).toBe('IDLE');
    expect(keysOf(send(cancelled.next, { type: 'CANCEL' }).actions)).toEqual([
      'flow_nothing_to_cancel',
    ]);
  });

  it('nudges once when quiet, closes later, and a reply after the nudge continues', () => {
    const { snapshot } = run([{ type: 'START' }, savedCustomer]);
    const nudged = send(snapshot, { type: 'NUDGE' });
    expect(keysOf(nudged.actions)).toEqual(['flow_nudge']);
    expect(send(nudged.next, { type: 'NUDGE' }).accepted).toBe(false);
    const answered = send(nudged.next, amount(700));
    expect(nameOf(answered.next)).toBe('COLLECT.description');
    expect(answered.next.context.nudged).toBe(false);
    const closed = send(answered.next, { type: 'CLOSE' });
    expect(keysOf(closed.actions)).toEqual(['flow_expired']);
    expect(nameOf(closed.next)).toBe('IDLE');
  });

  it('asks before a one-line invoice replaces the draft', () => {
    const draft = {
      phone: SAVED_PHONE,
      name: 'Mary',
      saved: true,
      nameAsked: false,
      amount: 900,
      description: 'Cleaning',
      hint: null,
    };
    const { snapshot } = run([{ type: 'START' }, newCustomer]);
    const asked = send(snapshot, { type: 'REPLACE_ASK', draft });
    expect(keysOf(asked.actions)).toEqual(['flow_replace_draft']);
    expect(nameOf(asked.next)).toBe('COLLECT.name');
    const kept = send(asked.next, { type: 'REPLACE_NO' });
    expect(keysOf(kept.actions)).toEqual(['flow_draft_kept']);
    expect(nameOf(kept.next)).toBe('COLLECT.name');
    const replaced = send(send(kept.next, { type: 'REPLACE_ASK', draft }).next, {
      type: 'REPLACE_YES',
    });
    expect(nameOf(replaced.next)).toBe('READY');
    expect(replaced.next.context.draft).toMatchObject({ amount: 900, description: 'Cleaning' });
  });

  it('lists ambiguous names masked and keeps an unknown name for the number that follows', () => {
    const { snapshot, effects } = run([
      { type: 'START' },
      {
        type: 'CUSTOMER_AMBIGUOUS',
        name: 'John',
        choices: [
          { phone: '+254711000001', name: 'John Kamau' },
          { phone: '+254711222333', name: 'John Otieno' },
        ],
      },
      { type: 'CUSTOMER_UNKNOWN', name: 'Peter' },
      newCustomer,
    ]);
    const ambiguous = (effects[1].payload.content as { body: string }).body;
    expect(ambiguous).toContain('1. John Kamau (0711 *** 001)');
    expect(ambiguous).toContain('2. John Otieno (0711 *** 333)');
    expect(effects[2].payload.replyKey).toBe('name_unknown');
    // "Peter" was typed before the number, so the name question is skipped.
    expect(nameOf(snapshot)).toBe('COLLECT.amount');
    expect(snapshot.context.draft.name).toBe('Peter');
  });

  it('speaks the locale in context, and prefilled drafts skip answered steps', () => {
    const { snapshot, keys, effects } = run(
      [{ type: 'START', amount: 500, description: 'Cleaning' }, savedCustomer],
      { locale: 'sw' },
    );
    expect(keys).toEqual(['flow_ask_customer', 'flow_preview']);
    expect(nameOf(snapshot)).toBe('READY');
    expect((effects[1].payload.content as { buttons: { title: string }[] }).buttons[0].title).toBe(
      'Tuma',
    );
  });

  it('registers a business in two steps', () => {
    const { snapshot, keys } = run([
      { type: 'REGISTER' },
      { type: 'INVALID', problem: null },
      { type: 'ANSWER', step: 'business', value: 'Mama Mboga' },
      { type: 'REGISTERED', merchantId: 'm-1', business: 'Mama Mboga', locale: 'sw' },
    ]);
    expect(keys).toEqual([
      'register_ask_business',
      'register_bad_business',
      'register_ask_language',
      'register_done',
    ]);
    expect(snapshot.context).toMatchObject({ merchantId: 'm-1', locale: 'sw' });
  });
});
