import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/http/domain-error';
import { sanitizeForLog } from '../common/logging/redact';
import { isUuid } from '../common/text/uuid';
import type { MachineDefinition } from '../runtime/machine-definition';
import { toDefinitionJson, toMermaid } from '../runtime/machine-diagram';
import { MachineRegistry } from '../runtime/machine-registry';
import { AdminMachinesQuery } from './admin-machines.query';

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
    private readonly machines: AdminMachinesQuery,
  ) {}

  async list(): Promise<MachineSummary[]> {
    const out: MachineSummary[] = [];
    for (const definition of this.registry.all()) {
      out.push({
        kind: definition.kind,
        version: definition.version,
        table: definition.table,
        counts: await this.machines.countsByState(this.dataSource.manager, definition.table),
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
    if (!isUuid(id)) throw new NotFoundError(`${kind} ${id}`);
    const tx = this.dataSource.manager;
    const row = await this.machines.findInstance(tx, definition.table, id);
    if (!row) throw new NotFoundError(`${kind} ${id}`);
    const transitions = await this.machines.transitions(tx, kind, id);
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
