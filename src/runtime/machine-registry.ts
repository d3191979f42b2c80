import { Injectable } from '@nestjs/common';
import type { MachineDefinition } from './machine-definition';

const SAFE_TABLE = /^[a-z_][a-z0-9_]*$/;

@Injectable()
export class MachineRegistry {
  private readonly definitions = new Map<string, MachineDefinition>();

  register(definition: MachineDefinition): void {
    if (this.definitions.has(definition.kind)) {
      throw new Error(`machine kind "${definition.kind}" is registered twice`);
    }
    if (!SAFE_TABLE.test(definition.table))
      throw new Error(`unsafe table name "${definition.table}"`);
    this.definitions.set(definition.kind, definition);
  }

  get(kind: string): MachineDefinition | undefined {
    return this.definitions.get(kind);
  }

  all(): MachineDefinition[] {
    return [...this.definitions.values()];
  }
}
