import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ManualClock } from '../../src/runtime/clock';
import { MachineRegistry } from '../../src/runtime/machine-registry';
import { MachineVersionError } from '../../src/runtime/machine-runner';
import { enqueueOutbox, type OutboxHandler, type OutboxResult } from '../../src/runtime/outbox';
import { OutboxHandlers } from '../../src/runtime/outbox-handlers';
import { OutboxDispatcher } from '../../src/runtime/outbox-dispatcher';
import type { OutboxRow } from '../../src/runtime/outbox';
import { createTestApp } from '../utils/create-app';
import { exampleDefinition } from '../utils/example.machine';
import { runtimeStack, type RuntimeStack } from '../utils/runtime-stack';

const KIND = exampleDefinition.kind;
let seq = 0;
const uniqueKind = (name: string) => `test.${name}.${Date.now()}.${seq++}`;

async function outboxRows(stack: RuntimeStack, kind: string) {
  return (await stack.dataSource.query(
    `SELECT id, status, attempts, last_error, next_attempt_at FROM outbox WHERE kind = $1 ORDER BY id`,
    [kind],
  )) as {
    id: string;
    status: string;
    attempts: number;
    last_error: string | null;
    next_attempt_at: Date;
  }[];
}

describe('durable machines', () => {
  let a: RuntimeStack;
  let b: RuntimeStack;

  beforeAll(async () => {
    const clock = new ManualClock();
    a = await runtimeStack({ clock });
    b = await runtimeStack({ clock });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('applies 50 concurrent events from two instances one at a time, losing none', async () => {
    const id = await a.createWidget('concurrency');
    expect((await a.runner.send(KIND, id, { type: 'START' }, { source: 'test' })).accepted).toBe(
      true,
    );
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? a : b).runner.send(KIND, id, { type: 'INC' }, { source: `test-${i}` }),
      ),
    );
    expect(results.every((r) => r.accepted)).toBe(true);
    const [row] = await a.dataSource.query(
      `SELECT version, count, state FROM example_widgets WHERE id = $1`,
      [id],
    );
    // START plus 50 INC: every accepted event is one version
    expect(row).toEqual({ version: 51, count: 50, state: 'active' });
    const chain: { version: number; from_state: string; to_state: string }[] =
      await a.dataSource.query(
        `SELECT version, from_state, to_state FROM transitions WHERE machine_kind = $1 AND entity_id = $2 AND accepted ORDER BY id`,
        [KIND, id],
      );
    expect(chain.map((t) => t.version)).toEqual(Array.from({ length: 52 }, (_, i) => i));
    for (let i = 1; i < chain.length; i++) expect(chain[i].from_state).toBe(chain[i - 1].to_state);
    const pings: { n: string }[] = await a.dataSource.query(
      `SELECT count(*) AS n FROM outbox WHERE machine_kind = $1 AND entity_id = $2 AND kind = 'example.ping'`,
      [KIND, id],
    );
    expect(Number(pings[0].n)).toBe(51); // "created" + one per INC
  });

  it('keeps effects of different kinds that share a key', async () => {
    const id = await a.createWidget('two-kinds');
    await a.runner.send(KIND, id, { type: 'START' }, { source: 'test' });
    const rows = await a.dataSource.query(
      `SELECT kind, idempotency_key FROM outbox WHERE machine_kind = $1 AND entity_id = $2 ORDER BY id`,
      [KIND, id],
    );
    expect(rows).toEqual([
      { kind: 'example.ping', idempotency_key: `${KIND}:${id}:example.ping:created` },
      { kind: 'example.audit', idempotency_key: `${KIND}:${id}:example.audit:created` },
    ]);
  });

  it('applies the same event twice (same dedupe key) once', async () => {
    const id = await a.createWidget('dedupe');
    await a.runner.send(KIND, id, { type: 'START' }, { source: 'test' });
    const first = await a.runner.send(
      KIND,
      id,
      { type: 'INC' },
      { source: 'webhook', dedupeKey: 'evt-1' },
    );
    const second = await b.runner.send(
      KIND,
      id,
      { type: 'INC' },
      { source: 'webhook', dedupeKey: 'evt-1' },
    );
    expect(first.accepted).toBe(true);
    expect(second).toEqual({ accepted: false, reason: 'duplicate' });
    const [row] = await a.dataSource.query(
      `SELECT version, count FROM example_widgets WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ version: 2, count: 1 });
  });

  it('reports an unaccepted event and an unknown entity without changing anything but the ignore record', async () => {
    const id = await a.createWidget('ignored');
    const before = await a.dataSource.query(
      `SELECT version, snapshot FROM example_widgets WHERE id = $1`,
      [id],
    );
    expect(await a.runner.send(KIND, id, { type: 'FINISH' }, { source: 'test' })).toEqual({
      accepted: false,
      reason: 'not_accepted',
      state: 'idle',
      version: 0,
    });
    const after = await a.dataSource.query(
      `SELECT version, snapshot FROM example_widgets WHERE id = $1`,
      [id],
    );
    expect(after).toEqual(before);
    const ignored = await a.dataSource.query(
      `SELECT event_type, accepted FROM transitions WHERE entity_id = $1 AND NOT accepted`,
      [id],
    );
    expect(ignored).toEqual([{ event_type: 'FINISH', accepted: false }]);

    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await a.runner.send(KIND, missing, { type: 'START' }, { source: 'test' })).toEqual({
      accepted: false,
      reason: 'unknown_entity',
    });
    expect(await a.runner.send(KIND, 'not-a-uuid', { type: 'START' }, { source: 'test' })).toEqual({
      accepted: false,
      reason: 'unknown_entity',
    });
    expect(
      await a.runner.send('no.such.kind', missing, { type: 'START' }, { source: 'test' }),
    ).toEqual({
      accepted: false,
      reason: 'unknown_kind',
    });
    const outboxForMissing = await a.dataSource.query(
      `SELECT id FROM outbox WHERE entity_id = $1`,
      [missing],
    );
    expect(outboxForMissing).toEqual([]);
  });

  it('refuses a snapshot of an unknown machine version with a clear error', async () => {
    const id = await a.createWidget('versioned');
    await a.dataSource.query(`UPDATE example_widgets SET machine_version = 99 WHERE id = $1`, [id]);
    await expect(a.runner.send(KIND, id, { type: 'START' }, { source: 'test' })).rejects.toThrow(
      MachineVersionError,
    );
    await expect(a.runner.send(KIND, id, { type: 'START' }, { source: 'test' })).rejects.toThrow(
      /machine version 99/,
    );
  });
});

describe('outbox', () => {
  it('runs every one of 1,000 rows exactly once with two dispatchers side by side', async () => {
    const kind = uniqueKind('thousand');
    const seen = new Map<string, number>();
    const handler: OutboxHandler = {
      handle: async (row: OutboxRow) => {
        seen.set(row.id, (seen.get(row.id) ?? 0) + 1);
        await new Promise((r) => setImmediate(r));
        return { status: 'done' };
      },
    };
    const clock = new ManualClock();
    const one = await runtimeStack({ clock, handlers: { [kind]: handler } });
    const two = await runtimeStack({ clock, handlers: { [kind]: handler } });
    try {
      await one.signals.transaction(async (manager) => {
        for (let i = 0; i < 1000; i++) {
          await enqueueOutbox(manager, one.signals, {
            kind,
            idempotencyKey: `${kind}:${i}`,
            payload: { i },
          });
        }
      });
      const [n1, n2] = await Promise.all([one.dispatcher.drain(), two.dispatcher.drain()]);
      expect(n1 + n2).toBe(1000);
      expect(n1).toBeGreaterThan(0);
      expect(n2).toBeGreaterThan(0);
      expect(seen.size).toBe(1000);
      expect([...seen.values()].every((count) => count === 1)).toBe(true);
      const rows = await outboxRows(one, kind);
      expect(rows.every((r) => r.status === 'done' && r.attempts === 1)).toBe(true);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('retries a failing handler with growing delays until done; dead after the last attempt; permanent at once', async () => {
    const flaky = uniqueKind('flaky');
    const broken = uniqueKind('broken');
    const fatal = uniqueKind('fatal');
    let flakyCalls = 0;
    const stack = await runtimeStack({
      handlers: {
        [flaky]: {
          handle: async (): Promise<OutboxResult> =>
            ++flakyCalls <= 2
              ? { status: 'retry', error: `try ${flakyCalls}` }
              : { status: 'done' },
        },
        [broken]: { handle: async () => Promise.reject(new Error('provider is down')) },
        [fatal]: { handle: async () => ({ status: 'permanent' as const, error: 'invalid phone' }) },
      },
      dispatcher: { random: () => 1 },
    });
    try {
      await stack.signals.transaction(async (m) => {
        await enqueueOutbox(m, stack.signals, {
          kind: flaky,
          idempotencyKey: `${flaky}:1`,
          payload: {},
        });
        await enqueueOutbox(m, stack.signals, {
          kind: broken,
          idempotencyKey: `${broken}:1`,
          payload: {},
          maxAttempts: 3,
        });
        await enqueueOutbox(m, stack.signals, {
          kind: fatal,
          idempotencyKey: `${fatal}:1`,
          payload: {},
        });
      });
      const delays: number[] = [];
      for (let round = 0; round < 4; round++) {
        await stack.dispatcher.drain();
        const [row] = await outboxRows(stack, flaky);
        if (row.status !== 'pending') break;
        delays.push(new Date(row.next_attempt_at).getTime() - stack.clock.now().getTime());
        stack.clock.advance(delays.at(-1)!);
      }
      expect(delays).toHaveLength(2);
      expect(delays[1]).toBeGreaterThan(delays[0]);
      expect((await outboxRows(stack, flaky))[0]).toMatchObject({ status: 'done', attempts: 3 });

      for (let round = 0; round < 5; round++) {
        stack.clock.advance(3_600_000);
        await stack.dispatcher.drain();
      }
      expect((await outboxRows(stack, broken))[0]).toMatchObject({
        status: 'dead',
        attempts: 3,
        last_error: 'provider is down',
      });
      expect((await outboxRows(stack, fatal))[0]).toMatchObject({
        status: 'dead',
        attempts: 1,
        last_error: 'invalid phone',
      });
    } finally {
      await stack.close();
    }
  });

  it('takes over a claim whose lease expired and completes it once', async () => {
    const kind = uniqueKind('orphan');
    let calls = 0;
    const stack = await runtimeStack({
      handlers: { [kind]: { handle: async () => (calls++, { status: 'done' as const }) } },
    });
    try {
      await stack.signals.transaction((m) =>
        enqueueOutbox(m, stack.signals, { kind, idempotencyKey: `${kind}:1`, payload: {} }),
      );
      // A dispatcher claimed it and died: the lease is still running.
      await stack.dataSource.query(
        `UPDATE outbox SET status = 'running', claimed_by = 'dead-dispatcher', attempts = 1, claim_expires_at = $2 WHERE kind = $1`,
        [kind, new Date(stack.clock.now().getTime() + 60_000)],
      );
      await stack.dispatcher.drain();
      expect(calls).toBe(0);
      stack.clock.advance(61_000);
      await stack.dispatcher.drain();
      await stack.dispatcher.drain();
      expect(calls).toBe(1);
      expect((await outboxRows(stack, kind))[0]).toMatchObject({ status: 'done', attempts: 2 });
    } finally {
      await stack.close();
    }
  });

  it('leaves rows of a kind it has no handler for pending, for an instance that has one', async () => {
    const known = uniqueKind('known');
    const unknown = uniqueKind('unknown');
    const stack = await runtimeStack({ dispatcher: {}, handlers: {} });
    stack.handlers.register(known, { handle: async () => ({ status: 'done' as const }) });
    const generic = new OutboxDispatcher(
      stack.dataSource,
      stack.handlers,
      stack.clock,
      stack.runner,
    );
    try {
      await stack.signals.transaction(async (m) => {
        await enqueueOutbox(m, stack.signals, {
          kind: known,
          idempotencyKey: `${known}:1`,
          payload: {},
        });
        await enqueueOutbox(m, stack.signals, {
          kind: unknown,
          idempotencyKey: `${unknown}:1`,
          payload: {},
        });
      });
      await generic.drain();
      expect((await outboxRows(stack, known))[0]).toMatchObject({ status: 'done' });
      expect((await outboxRows(stack, unknown))[0]).toMatchObject({
        status: 'pending',
        attempts: 0,
      });
    } finally {
      await stack.close();
    }
  });

  it('feeds a handler result back to the machine as an event', async () => {
    let id = '';
    const stack = await runtimeStack({
      handlers: {
        // Other tests' widgets left pings too: only this test's widget gets an event back.
        'example.ping': {
          handle: async (row) =>
            row.entityId === id
              ? { status: 'done' as const, event: { type: 'START' } }
              : { status: 'done' as const },
        },
      },
    });
    try {
      id = await stack.createWidget('feedback');
      await stack.dispatcher.drain();
      const [row] = await stack.dataSource.query(
        `SELECT state FROM example_widgets WHERE id = $1`,
        [id],
      );
      expect(row.state).toBe('active');
      const [t] = await stack.dataSource.query(
        `SELECT source FROM transitions WHERE entity_id = $1 AND event_type = 'START'`,
        [id],
      );
      expect(t.source).toBe('outbox:example.ping');
    } finally {
      await stack.close();
    }
  });
});

describe('timers', () => {
  it('fire once each, in due order, with two firers, after a restart; a cancelled timer never fires', async () => {
    const clock = new ManualClock();
    const before = await runtimeStack({ clock });
    const id = await before.createWidget('timers');
    await before.runner.send(KIND, id, { type: 'START' }, { source: 'test' });
    for (const [n, delayMs] of [
      [1, 30_000],
      [2, 10_000],
      [3, 20_000],
      [4, 15_000],
    ] as const) {
      await before.runner.send(KIND, id, { type: 'ARM', n, delayMs }, { source: 'test' });
    }
    await before.runner.send(KIND, id, { type: 'DISARM', n: 4 }, { source: 'test' });
    expect(await before.firer.fireDue()).toBe(0); // nothing due yet
    await before.close(); // "restart"

    const one = await runtimeStack({ clock });
    const two = await runtimeStack({ clock });
    try {
      clock.advance(60_000);
      const [f1, f2] = await Promise.all([one.firer.fireDue(), two.firer.fireDue()]);
      expect(f1 + f2).toBe(3);
      const [row] = await one.dataSource.query(
        `SELECT snapshot FROM example_widgets WHERE id = $1`,
        [id],
      );
      expect(row.snapshot.context.alarms).toEqual([2, 3, 1]);
      const timers = await one.dataSource.query(
        `SELECT key, status FROM timers WHERE entity_id = $1 ORDER BY key`,
        [id],
      );
      expect(timers).toEqual([
        { key: `${KIND}:${id}:alarm:1`, status: 'fired' },
        { key: `${KIND}:${id}:alarm:2`, status: 'fired' },
        { key: `${KIND}:${id}:alarm:3`, status: 'fired' },
        { key: `${KIND}:${id}:alarm:4`, status: 'cancelled' },
      ]);
      expect(await one.firer.fireDue()).toBe(0);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('crash between the transition and the dispatch', () => {
  const delivered: string[] = [];

  @Injectable()
  class ExampleWiring implements OnModuleInit {
    constructor(
      private readonly registry: MachineRegistry,
      private readonly handlers: OutboxHandlers,
    ) {}
    onModuleInit(): void {
      this.registry.register(exampleDefinition);
      this.handlers.register('example.crash', {
        handle: async (row) => (delivered.push(String(row.payload.n)), { status: 'done' }),
      });
    }
  }
  @Module({ providers: [ExampleWiring] })
  class ExampleModule {}

  it('loses nothing: the restarted app delivers the committed outbox rows', async () => {
    const stack = await runtimeStack();
    await stack.signals.transaction(async (m) => {
      for (const n of [1, 2, 3]) {
        await enqueueOutbox(m, stack.signals, {
          kind: 'example.crash',
          idempotencyKey: `crash:${Date.now()}:${n}`,
          payload: { n },
        });
      }
    });
    await stack.close(); // the process that committed is gone before dispatching

    const t = await createTestApp({}, { imports: [ExampleModule] });
    try {
      const deadline = Date.now() + 10_000;
      while (delivered.length < 3 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(delivered.sort()).toEqual(['1', '2', '3']);
    } finally {
      await t.close();
    }
  });
});

describe('npm run machines:export', () => {
  it('writes the JSON definition and a Mermaid diagram of the test machine', () => {
    const out = mkdtempSync(join(tmpdir(), 'iq-machines-'));
    const result = spawnSync(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        'scripts/export-machines.ts',
        '--module',
        'test/utils/example.machine.ts',
        '--out',
        out,
      ],
      { cwd: resolve(__dirname, '../..'), encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    const json = JSON.parse(readFileSync(join(out, `${KIND}.json`), 'utf8'));
    expect(json).toMatchObject({ id: 'example.widget', initial: 'idle' });
    expect(json.states.active.on.FINISH).toEqual({ guard: 'hasCounted', target: 'done' });
    const mermaid = readFileSync(join(out, `${KIND}.mmd`), 'utf8');
    expect(mermaid).toMatch(/^stateDiagram-v2/);
    expect(mermaid).toContain('idle --> active: START');
    expect(mermaid).toContain('active --> done: FINISH [hasCounted]');
    expect(mermaid).toContain('done --> [*]');
  });
});
