import { Injectable, Logger, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AnyStateMachine, initialTransition, type StateValue, transition } from 'xstate';
import { DomainError } from '../common/http/domain-error';
import { Clock } from './clock';
import { DeliverPort } from './deliver-port';
import type { CancelTimerEffect, DeliverEffect, OutboxEffect, SetTimerEffect } from './effects';
import { InboundEventRepository } from './inbound-event.repository';
import { MachineInspector } from './machine-inspector';
import {
  type MachineDefinition,
  type PersistedMachineSnapshot,
  stateName,
} from './machine-definition';
import { MachineRegistry } from './machine-registry';
import { MachineRowRepository } from './machine-row.repository';
import { OutboxService } from './outbox';
import { OutboxRepository } from './outbox.repository';
import { RuntimeSignals } from './runtime-signals';
import { TimerRepository } from './timer.repository';
import { TimerService } from './timers';
import { type TransitionRecord, TransitionRepository } from './transition.repository';

export type { TransitionRecord };

export interface MachineEvent {
  type: string;
  [key: string]: unknown;
}

export interface SendOptions {
  /** Who sent it: "api", "webhook:whatsapp", "timer", "outbox:mpesa.stk_push", … (kept in the audit). */
  source: string;
  /** Same key twice → applied once. Scoped to the machine instance. */
  dedupeKey?: string;
  /** Join the caller's transaction instead of opening one. */
  manager?: EntityManager;
}

export type SendResult =
  | { accepted: true; state: string; version: number; snapshot: PersistedMachineSnapshot }
  | { accepted: false; reason: 'not_accepted'; state: string; version: number }
  | { accepted: false; reason: 'duplicate' }
  | { accepted: false; reason: 'unknown_entity' }
  | { accepted: false; reason: 'unknown_kind' };

export class MachineVersionError extends DomainError {
  constructor(kind: string, entityId: string, stored: number, known: number) {
    super(
      'machine_version_unknown',
      `The stored ${kind} ${entityId} has machine version ${stored}, but this build knows version ${known}. ` +
        'Refusing to guess: migrate the stored snapshots or deploy the matching build.',
      500,
    );
  }
}

interface ExecutableAction {
  type: string;
  params?: unknown;
}

/**
 * Applies one event to one persisted machine in one transaction: lock, restore, pure
 * transition, save snapshot + audit row + outbox rows + timers, commit. Nothing outside the
 * database happens inside the transaction.
 */
@Injectable()
export class MachineRunner {
  private readonly logger = new Logger(MachineRunner.name);
  private readonly listeners = new Set<(record: TransitionRecord) => void>();

  constructor(
    private readonly registry: MachineRegistry,
    private readonly clock: Clock,
    private readonly signals: RuntimeSignals,
    @Optional() private readonly inspector?: MachineInspector,
    // Defaults for a runner built without Nest (tests, scripts): the repositories are stateless.
    @Optional() private readonly machineRows: MachineRowRepository = new MachineRowRepository(),
    @Optional() private readonly transitions: TransitionRepository = new TransitionRepository(),
    @Optional()
    private readonly inboundEvents: InboundEventRepository = new InboundEventRepository(),
    @Optional()
    private readonly outbox: OutboxService = new OutboxService(new OutboxRepository(), signals),
    @Optional()
    private readonly timers: TimerService = new TimerService(new TimerRepository(), signals),
    @Optional() private readonly deliveries: DeliverPort = new DeliverPort(),
  ) {}

  /**
   * Gives a freshly inserted row its initial snapshot and runs the machine's entry effects.
   * Call it in the transaction that inserted the row.
   */
  async start(
    kind: string,
    entityId: string,
    input: Record<string, unknown>,
    manager: EntityManager,
    source = 'create',
  ): Promise<{ state: string; snapshot: PersistedMachineSnapshot }> {
    const definition = this.definition(kind);
    const [snapshot, actions] = initialTransition(definition.machine, input);
    const persisted = definition.machine.getPersistedSnapshot(
      snapshot,
    ) as unknown as PersistedMachineSnapshot;
    const state = stateName(persisted.value);
    const now = this.clock.now();
    const columns = definition.columnsFromSnapshot?.(persisted, { now, previous: null }) ?? {};
    await this.machineRows.start(manager, definition.table, entityId, {
      snapshot: persisted,
      state,
      machineVersion: definition.version,
      at: now,
      columns,
    });
    await this.audit(manager, {
      kind,
      entityId,
      from: null,
      to: state,
      eventType: 'xstate.init',
      source,
      accepted: true,
      version: 0,
      at: now,
    });
    await this.applyEffects(manager, definition, entityId, actions, now);
    this.signals.afterCommit(manager, () => this.inspector?.reportStart(kind, entityId, persisted));
    return { state, snapshot: persisted };
  }

  async send(
    kind: string,
    entityId: string,
    event: MachineEvent,
    options: SendOptions,
  ): Promise<SendResult> {
    if (options.manager) return this.sendIn(options.manager, kind, entityId, event, options);
    return this.signals.transaction((manager) =>
      this.sendIn(manager, kind, entityId, event, options),
    );
  }

  private async sendIn(
    manager: EntityManager,
    kind: string,
    entityId: string,
    event: MachineEvent,
    options: SendOptions,
  ): Promise<SendResult> {
    const now = this.clock.now();
    const definition = this.registry.get(kind);
    if (!definition) {
      await this.audit(manager, {
        kind,
        entityId,
        from: null,
        to: null,
        eventType: event.type,
        source: options.source,
        accepted: false,
        version: null,
        at: now,
      });
      return { accepted: false, reason: 'unknown_kind' };
    }
    const row = await this.machineRows.lock(manager, definition.table, entityId);
    if (!row?.snapshot) {
      await this.audit(manager, {
        kind,
        entityId,
        from: null,
        to: null,
        eventType: event.type,
        source: options.source,
        accepted: false,
        version: null,
        at: now,
      });
      return { accepted: false, reason: 'unknown_entity' };
    }
    if (options.dedupeKey) {
      const fresh = await this.inboundEvents.insertOnce(manager, {
        provider: 'machine',
        externalId: `${kind}:${entityId}:${options.dedupeKey}`,
        receivedAt: now,
        processed: true,
      });
      if (fresh === null) return { accepted: false, reason: 'duplicate' };
    }
    if (row.machineVersion !== definition.version) {
      throw new MachineVersionError(kind, entityId, row.machineVersion, definition.version);
    }

    const machine: AnyStateMachine = definition.machine;
    const restored = machine.resolveState({
      value: row.snapshot.value as StateValue,
      context: row.snapshot.context,
    });
    const [next, actions] = transition(machine, restored, event);
    if (next === restored && actions.length === 0) {
      await this.audit(manager, {
        kind,
        entityId,
        from: row.state,
        to: row.state,
        eventType: event.type,
        source: options.source,
        accepted: false,
        version: row.version,
        at: now,
      });
      return { accepted: false, reason: 'not_accepted', state: row.state, version: row.version };
    }

    const persisted = machine.getPersistedSnapshot(next) as unknown as PersistedMachineSnapshot;
    const state = stateName(persisted.value);
    const columns =
      definition.columnsFromSnapshot?.(persisted, { now, previous: row.snapshot }) ?? {};
    const version = await this.machineRows.save(manager, definition.table, entityId, {
      snapshot: persisted,
      state,
      at: now,
      columns,
    });
    await this.audit(manager, {
      kind,
      entityId,
      from: row.state,
      to: state,
      eventType: event.type,
      source: options.source,
      accepted: true,
      version,
      at: now,
    });
    await this.applyEffects(manager, definition, entityId, actions, now);
    this.signals.afterCommit(manager, () =>
      this.inspector?.reportTransition(kind, entityId, event, persisted),
    );
    return { accepted: true, state, version, snapshot: persisted };
  }

  /** When this machine last accepted an event of this type (from the audit); null if never. */
  lastAcceptedAt(
    tx: EntityManager,
    kind: string,
    entityId: string,
    eventType: string,
  ): Promise<Date | null> {
    return this.transitions.lastAcceptedAt(tx, kind, entityId, eventType);
  }

  /** Called after commit for every audited event (accepted or ignored): metrics, live views. */
  onTransition(listener: (record: TransitionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private definition(kind: string): MachineDefinition {
    const definition = this.registry.get(kind);
    if (!definition) throw new Error(`no machine registered for kind "${kind}"`);
    return definition;
  }

  private async applyEffects(
    manager: EntityManager,
    definition: MachineDefinition,
    entityId: string,
    actions: ExecutableAction[],
    now: Date,
  ): Promise<void> {
    const scope = `${definition.kind}:${entityId}`;
    for (const action of actions) {
      switch (action.type) {
        case 'outbox': {
          const effect = action.params as OutboxEffect;
          await this.outbox.enqueue(manager, {
            kind: effect.kind,
            idempotencyKey: `${scope}:${effect.kind}:${effect.key}`,
            payload: effect.payload,
            maxAttempts: effect.maxAttempts,
            notBefore: new Date(now.getTime() + (effect.delayMs ?? 0)),
            machineKind: definition.kind,
            entityId,
          });
          break;
        }
        case 'setTimer': {
          const effect = action.params as SetTimerEffect;
          const dueAt = effect.at
            ? new Date(effect.at)
            : new Date(now.getTime() + (effect.delayMs ?? 0));
          await this.timers.set(manager, {
            key: `${scope}:${effect.key}`,
            dueAt,
            machineKind: definition.kind,
            entityId,
            event: effect.event,
          });
          break;
        }
        case 'cancelTimer': {
          const effect = action.params as CancelTimerEffect;
          await this.timers.cancel(manager, `${scope}:${effect.key}`);
          break;
        }
        case 'deliver': {
          const effect = action.params as DeliverEffect;
          await this.deliveries.deliver(manager, {
            key: `${scope}:deliver:${effect.key}`,
            source: definition.kind,
            message: effect.message,
          });
          break;
        }
        default:
          // A named action the runner does not know would be an effect silently dropped.
          throw new Error(`machine "${definition.kind}" asked for unknown action "${action.type}"`);
      }
    }
  }

  private async audit(manager: EntityManager, row: TransitionRecord): Promise<void> {
    await this.transitions.insert(manager, row);
    if (!row.accepted) this.logger.debug(`${row.kind} ignored ${row.eventType} (${row.source})`);
    if (this.listeners.size > 0) {
      this.signals.afterCommit(manager, () => this.listeners.forEach((listener) => listener(row)));
    }
  }
}
