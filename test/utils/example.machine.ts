import { assign, setup } from 'xstate';
import { effectActions } from '../../src/runtime/effects';
import type { MachineDefinition } from '../../src/runtime/machine-definition';

/** A small machine that exercises every runtime feature: audit, outbox, timers, final states. */
export const exampleMachine = setup({
  types: {
    context: {} as { label: string; count: number; alarms: number[] },
    input: {} as { label: string },
    events: {} as
      | { type: 'START' }
      | { type: 'INC' }
      | { type: 'ARM'; n: number; delayMs: number }
      | { type: 'DISARM'; n: number }
      | { type: 'ALARM'; n: number }
      | { type: 'FINISH' },
  },
  actions: {
    ...effectActions,
    increment: assign({ count: ({ context }) => context.count + 1 }),
    recordAlarm: assign({
      alarms: ({ context, event }) =>
        event.type === 'ALARM' ? [...context.alarms, event.n] : context.alarms,
    }),
  },
  guards: {
    hasCounted: ({ context }) => context.count > 0,
  },
}).createMachine({
  id: 'example.widget',
  initial: 'idle',
  context: ({ input }) => ({ label: input.label, count: 0, alarms: [] }),
  states: {
    idle: {
      entry: {
        type: 'outbox',
        params: { kind: 'example.ping', key: 'created', payload: { what: 'created' } },
      },
      on: {
        START: {
          target: 'active',
          // Same key as the entry effect, another kind: both must be queued.
          actions: {
            type: 'outbox',
            params: { kind: 'example.audit', key: 'created', payload: {} },
          },
        },
      },
    },
    active: {
      on: {
        INC: {
          actions: [
            'increment',
            {
              type: 'outbox',
              params: ({ context }) => ({
                kind: 'example.ping',
                key: `inc:${context.count}`,
                payload: { count: context.count },
              }),
            },
          ],
        },
        ARM: {
          actions: {
            type: 'setTimer',
            params: ({ event }) => ({
              key: `alarm:${event.n}`,
              delayMs: event.delayMs,
              event: { type: 'ALARM', n: event.n },
            }),
          },
        },
        DISARM: {
          actions: { type: 'cancelTimer', params: ({ event }) => ({ key: `alarm:${event.n}` }) },
        },
        ALARM: { actions: 'recordAlarm' },
        FINISH: { guard: 'hasCounted', target: 'done' },
      },
    },
    done: { type: 'final' },
  },
});

export const EXAMPLE_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS example_widgets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    machine_version integer NOT NULL DEFAULT 1,
    snapshot jsonb,
    state text NOT NULL DEFAULT 'idle',
    version integer NOT NULL DEFAULT 0,
    count integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`;

export const exampleDefinition: MachineDefinition<typeof exampleMachine> = {
  kind: 'example.widget',
  version: 1,
  machine: exampleMachine,
  table: 'example_widgets',
  columnsFromSnapshot: (snapshot) => ({ count: snapshot.context.count }),
};

export const definitions = [exampleDefinition];
