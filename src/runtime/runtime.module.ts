import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';
import { MachineInspector } from './machine-inspector';
import { MachineRegistry } from './machine-registry';
import { InboundQueue } from './inbound-queue';
import { MachineRunner } from './machine-runner';
import { OutboxHandlers } from './outbox-handlers';
import { RuntimePollers } from './runtime-pollers';
import { RuntimeSignals } from './runtime-signals';

/** The durable-machine mechanism: runner, outbox, timers, clock. Global: every domain module uses it. */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: RuntimeModule,
      providers: [
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        MachineRegistry,
        OutboxHandlers,
        RuntimeSignals,
        MachineInspector,
        MachineRunner,
        RuntimePollers,
        InboundQueue,
      ],
      exports: [
        Clock,
        MachineRegistry,
        OutboxHandlers,
        RuntimeSignals,
        MachineRunner,
        RuntimePollers,
        MachineInspector,
        InboundQueue,
      ],
    };
  }
}
