import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';
import { DeliverPort } from './deliver-port';
import { InboundEventRepository } from './inbound-event.repository';
import { MachineInspector } from './machine-inspector';
import { MachineRegistry } from './machine-registry';
import { InboundQueue } from './inbound-queue';
import { MachineRowRepository } from './machine-row.repository';
import { MachineRunner } from './machine-runner';
import { OutboxService } from './outbox';
import { OutboxHandlers } from './outbox-handlers';
import { OutboxRepository } from './outbox.repository';
import { RuntimePollers } from './runtime-pollers';
import { RuntimeSignals } from './runtime-signals';
import { TimerRepository } from './timer.repository';
import { TimerService } from './timers';
import { TransitionRepository } from './transition.repository';

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
        InboundEventRepository,
        MachineRowRepository,
        OutboxRepository,
        OutboxService,
        TimerRepository,
        TimerService,
        TransitionRepository,
        DeliverPort,
      ],
      // The runtime is the bottom layer: any feature may use its inbound-event ledger, outbox,
      // timers and transition audit (the machine-row statements stay the runner's own).
      exports: [
        Clock,
        MachineRegistry,
        OutboxHandlers,
        RuntimeSignals,
        MachineRunner,
        RuntimePollers,
        MachineInspector,
        InboundQueue,
        InboundEventRepository,
        TransitionRepository,
        OutboxService,
        TimerService,
        DeliverPort,
      ],
    };
  }
}
