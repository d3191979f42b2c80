import type { DataSource } from 'typeorm';
import { ManualClock } from '../../src/runtime/clock';
import { MachineRegistry } from '../../src/runtime/machine-registry';
import { MachineRunner } from '../../src/runtime/machine-runner';
import type { OutboxHandler } from '../../src/runtime/outbox';
import { OutboxDispatcher, type DispatcherOptions } from '../../src/runtime/outbox-dispatcher';
import { OutboxHandlers } from '../../src/runtime/outbox-handlers';
import { RuntimeSignals } from '../../src/runtime/runtime-signals';
import { TimerFirer } from '../../src/runtime/timer-firer';
import { exampleDefinition, EXAMPLE_TABLE_SQL } from './example.machine';
import { openDataSource } from './test-database';

/** One "instance" of the runtime on its own DataSource (its own connection pool), without Nest. */
export interface RuntimeStack {
  dataSource: DataSource;
  clock: ManualClock;
  registry: MachineRegistry;
  signals: RuntimeSignals;
  runner: MachineRunner;
  handlers: OutboxHandlers;
  dispatcher: OutboxDispatcher;
  firer: TimerFirer;
  createWidget(label?: string): Promise<string>;
  close(): Promise<void>;
}

export async function runtimeStack(
  options: {
    clock?: ManualClock;
    handlers?: Record<string, OutboxHandler>;
    dispatcher?: DispatcherOptions;
  } = {},
): Promise<RuntimeStack> {
  const dataSource = await openDataSource();
  await dataSource.query(EXAMPLE_TABLE_SQL);
  const clock = options.clock ?? new ManualClock();
  const registry = new MachineRegistry();
  registry.register(exampleDefinition);
  const signals = new RuntimeSignals(dataSource);
  const runner = new MachineRunner(registry, clock, signals);
  const handlers = new OutboxHandlers();
  for (const [kind, handler] of Object.entries(options.handlers ?? {}))
    handlers.register(kind, handler);
  const kinds = Object.keys(options.handlers ?? {});
  const dispatcher = new OutboxDispatcher(dataSource, handlers, clock, runner, {
    kinds,
    ...options.dispatcher,
  });
  const firer = new TimerFirer(signals, runner, clock, [exampleDefinition.kind]);
  return {
    dataSource,
    clock,
    registry,
    signals,
    runner,
    handlers,
    dispatcher,
    firer,
    createWidget: (label = 'widget') =>
      signals.transaction(async (manager) => {
        const [row] = (await manager.query(
          `INSERT INTO example_widgets DEFAULT VALUES RETURNING id`,
        )) as { id: string }[];
        await runner.start(exampleDefinition.kind, row.id, { label }, manager);
        return row.id;
      }),
    close: () => dataSource.destroy(),
  };
}
