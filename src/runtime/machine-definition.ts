import type { AnyStateMachine } from 'xstate';

export interface MachineDefinition<TMachine extends AnyStateMachine = AnyStateMachine> {
  /** Stable name, e.g. "invoice". Stored in transitions, outbox and timers. */
  kind: string;
  /**
   * Version of the definition, stored beside each snapshot. Bump it on any change that makes
   * old snapshots unreadable, and add a migration of the stored snapshots.
   */
  version: number;
  machine: TMachine;
  /** Table whose rows carry this machine: id (uuid), snapshot, state, version, machine_version. */
  table: string;
  /**
   * Extra columns kept in step with the snapshot, e.g. `{ amount_paid: ctx.amountPaid }`, or
   * `{ paid_at: change.now }` on the transition into PAID. Must be deterministic.
   */
  columnsFromSnapshot?: (
    snapshot: PersistedMachineSnapshot,
    change: SnapshotChange,
  ) => Record<string, unknown>;
}

/** The transition being saved, for columns that record when something happened. */
export interface SnapshotChange {
  now: Date;
  /** null when the machine starts. */
  previous: PersistedMachineSnapshot | null;
}

/** What we store: enough to restore with machine.resolveState. */
export interface PersistedMachineSnapshot {
  value: string | Record<string, unknown>;
  context: Record<string, unknown>;
  status: string;
}

/** "COLLECT.amount" for { COLLECT: 'amount' }. */
export function stateName(value: PersistedMachineSnapshot['value']): string {
  if (typeof value === 'string') return value;
  const [key, inner] = Object.entries(value)[0] ?? ['?', ''];
  if (inner === undefined || inner === null) return key;
  if (typeof inner === 'object' && Object.keys(inner).length === 0) return key;
  return `${key}.${stateName(inner as PersistedMachineSnapshot['value'])}`;
}
