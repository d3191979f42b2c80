import type { EntityManager } from 'typeorm';

/**
 * TypeORM's postgres driver answers UPDATE/DELETE with `[rows, rowCount]` and everything
 * else with `rows`. This gives rows either way.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

export async function queryRows<T>(
  manager: Pick<EntityManager, 'query'>,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return rowsOf<T>(await manager.query(sql, params));
}
