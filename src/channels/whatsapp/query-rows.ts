import type { DataSource } from 'typeorm';

/**
 * Rows of a raw query. TypeORM's postgres driver answers UPDATE/DELETE … RETURNING as
 * [rows, affected] but SELECT and INSERT as rows; this evens that out.
 */
export async function queryRows<T>(
  dataSource: DataSource,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const result = await dataSource.query<unknown>(sql, params);
  if (!Array.isArray(result)) return [];
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}
