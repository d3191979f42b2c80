import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

/** TypeORM's own record of the migrations it ran. */
@Injectable()
export class MigrationsQuery {
  async appliedNames(tx: EntityManager): Promise<Set<string>> {
    const rows = await queryRows<{ name: string }>(tx, `SELECT name FROM migrations`);
    return new Set(rows.map((row) => row.name));
  }
}
