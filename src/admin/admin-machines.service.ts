import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/http/domain-error';
import { sanitizeForLog } from '../common/logging/redact';
import { queryRows } from '../database/sql';
import { UUID_PATTERN } from '../merchants/pg-error';
import type { MachineDefinition } from '../runtime/machine-definition';
import { toDefinitionJson, toMermaid } from '../runtime/machine-diagram';
import { MachineRegistry } from '../runtime/machine-registry';

export interface MachineSummary {
  kind: string;
  version: number;
  table: string;
  counts: Record<string, number>;
}

export interface MachineDescription {
  kind: string;
  version: number;
  table: string;
  definition: unknown;
  mermaid: string;
}

export interface MachineInstance {
  kind: string;
  id: string;
  state: string;
  version: number;
  machineVersion: number;
  /** Phone numbers masked, message bodies and secrets removed. */
  snapshot: unknown;
  createdAt: string;
  updatedAt: string;
  transitions: {
    from: string | null;
    to: string | null;
    event: string;
    source: string;
    accepted: boolean;
    version: number | null;
    at: string;
  }[];
}

/** Read-only views of the registered machines and of one stored instance. */
@Injectable()
export class AdminMachinesService {
  constructor(
    private readonly registry: MachineRegistry,
    private readonly dataSource: DataSource,
  ) {}

  async list(): Promise<MachineSummary[]> {
    const out: MachineSummary[] = [];
    for (const definition of this.registry.all()) {
      // The registry only accepts table names matching /^[a-z_][a-z0-9_]*$/.
      const rows = await queryRows<{ state: string; count: string }>(
        this.dataSource,
        `SELECT state, count(*) AS count FROM ${definition.table} GROUP BY state ORDER BY state`,
      );
      out.push({
        kind: definition.kind,
        version: definition.version,
        table: definition.table,
        counts: Object.fromEntries(rows.map((r) => [r.state, Number(r.count)])),
      });
    }
    return out;
  }

  describe(kind: string): MachineDescription {
    const definition = this.definition(kind);
    return {
      kind: definition.kind,
      version: definition.version,
      table: definition.table,
      definition: toDefinitionJson(definition.machine),
      mermaid: toMermaid(definition.machine),
    };
  }

  async instance(kind: string, id: string): Promise<MachineInstance> {
    const definition = this.definition(kind);
    if (!UUID_PATTERN.test(id)) throw new NotFoundError(`${kind} ${id}`);
    const [row] = await queryRows<{
      state: string;
      version: number;
      machine_version: number;
      snapshot: unknown;
      created_at: Date;
      updated_at: Date;
    }>(
      this.dataSource,
      `SELECT state, version, machine_version, snapshot, created_at, updated_at
         FROM ${definition.table} WHERE id = $1`,
      [id],
    );
    if (!row) throw new NotFoundError(`${kind} ${id}`);
    const transitions = await queryRows<{
      from_state: string | null;
      to_state: string | null;
      event_type: string;
      source: string;
      accepted: boolean;
      version: number | null;
      at: Date;
    }>(
      this.dataSource,
      `SELECT from_state, to_state, event_type, source, accepted, version, at
         FROM transitions WHERE machine_kind = $1 AND entity_id = $2 ORDER BY id`,
      [kind, id],
    );
    return {
      kind,
      id,
      state: row.state,
      version: row.version,
      machineVersion: row.machine_version,
      snapshot: sanitizeForLog(row.snapshot),
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
      transitions: transitions.map((t) => ({
        from: t.from_state,
        to: t.to_state,
        event: t.event_type,
        source: t.source,
        accepted: t.accepted,
        version: t.version,
        at: new Date(t.at).toISOString(),
      })),
    };
  }

  private definition(kind: string): MachineDefinition {
    const definition = this.registry.get(kind);
    if (!definition) throw new NotFoundError(`Machine kind ${kind}`);
    return definition;
  }
}
