import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

export interface MachineInstanceRow {
  state: string;
  version: number;
  machine_version: number;
  snapshot: unknown;
  created_at: Date;
  updated_at: Date;
}

export interface MachineTransitionRow {
  from_state: string | null;
  to_state: string | null;
  event_type: string;
  source: string;
  accepted: boolean;
  version: number | null;
  at: Date;
}

/**
 * Stored machines, read for operators. `table` is always a registered machine's table: the
 * registry only accepts names matching /^[a-z_][a-z0-9_]*$/, so it is safe to splice in.
 */
@Injectable()
export class AdminMachinesQuery {
  async countsByState(tx: EntityManager, table: string): Promise<Record<string, number>> {
    const rows = await queryRows<{ state: string; count: string }>(
      tx,
      `SELECT state, count(*) AS count FROM ${table} GROUP BY state ORDER BY state`,
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.count)]));
  }

  async findInstance(
    tx: EntityManager,
    table: string,
    id: string,
  ): Promise<MachineInstanceRow | null> {
    const [row] = await queryRows<MachineInstanceRow>(
      tx,
      `SELECT state, version, machine_version, snapshot, created_at, updated_at
         FROM ${table} WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** Every event the machine was sent, accepted or not, in order. */
  transitions(tx: EntityManager, kind: string, id: string): Promise<MachineTransitionRow[]> {
    return queryRows<MachineTransitionRow>(
      tx,
      `SELECT from_state, to_state, event_type, source, accepted, version, at
         FROM transitions WHERE machine_kind = $1 AND entity_id = $2 ORDER BY id`,
      [kind, id],
    );
  }
}
