import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUuid } from '../common/text/uuid';
import { queryRows } from '../database/sql';
import type { PersistedMachineSnapshot } from './machine-definition';

/** The machine columns every machine table has (MachineDefinition.table). */
export interface MachineRowRecord {
  snapshot: PersistedMachineSnapshot | null;
  state: string;
  version: number;
  machineVersion: number;
}

interface MachineRow {
  snapshot: PersistedMachineSnapshot | null;
  state: string;
  version: number;
  machine_version: number;
}

/** A snapshot to store, with the extra columns its definition keeps in step with it. */
export interface MachineRowChange {
  snapshot: PersistedMachineSnapshot;
  state: string;
  at: Date;
  /** Column name → value, from MachineDefinition.columnsFromSnapshot (code, never input). */
  columns: Record<string, unknown>;
}

/**
 * The runner's statements on a machine's own row, in whatever table its definition names: the
 * runtime knows the machine columns, never the feature's other columns or its table's name.
 */
@Injectable()
export class MachineRowRepository {
  /** Locks the row (FOR UPDATE) and reads its machine columns; null when there is no such row. */
  async lock(tx: EntityManager, table: string, id: string): Promise<MachineRowRecord | null> {
    // Every machine table has a uuid key: another id would make the database refuse the query.
    if (!isUuid(id)) return null;
    const [row] = await queryRows<MachineRow>(
      tx,
      `SELECT snapshot, state, version, machine_version FROM ${table} WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row
      ? {
          snapshot: row.snapshot,
          state: row.state,
          version: row.version,
          machineVersion: row.machine_version,
        }
      : null;
  }

  /** Gives a freshly inserted row its first snapshot, at version 0. */
  async start(
    tx: EntityManager,
    table: string,
    id: string,
    change: MachineRowChange & { machineVersion: number },
  ): Promise<void> {
    await tx.query(
      `UPDATE ${table}
          SET snapshot = $2, state = $3, version = 0, machine_version = $4, updated_at = $5 ${extraColumns(change.columns, 6)}
        WHERE id = $1`,
      [
        id,
        change.snapshot,
        change.state,
        change.machineVersion,
        change.at,
        ...Object.values(change.columns),
      ],
    );
  }

  /** Stores the next snapshot of a locked row; returns its new version. */
  async save(
    tx: EntityManager,
    table: string,
    id: string,
    change: MachineRowChange,
  ): Promise<number> {
    const [row] = await queryRows<{ version: number }>(
      tx,
      `UPDATE ${table}
          SET snapshot = $2, state = $3, version = version + 1, updated_at = $4 ${extraColumns(change.columns, 5)}
        WHERE id = $1
        RETURNING version`,
      [id, change.snapshot, change.state, change.at, ...Object.values(change.columns)],
    );
    return row.version;
  }
}

function extraColumns(columns: Record<string, unknown>, firstParam: number): string {
  return Object.keys(columns)
    .map((column, i) => `, ${column} = $${firstParam + i}`)
    .join('');
}
