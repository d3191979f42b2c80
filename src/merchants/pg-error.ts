/** PostgreSQL error fields, whether TypeORM wrapped the driver error or not. */
export interface PgErrorInfo {
  code?: string;
  constraint?: string;
}

export const UNIQUE_VIOLATION = '23505';

export function pgError(error: unknown): PgErrorInfo {
  const outer = error as
    | {
        code?: unknown;
        constraint?: unknown;
        driverError?: { code?: unknown; constraint?: unknown };
      }
    | null
    | undefined;
  const code = outer?.driverError?.code ?? outer?.code;
  const constraint = outer?.driverError?.constraint ?? outer?.constraint;
  return {
    code: typeof code === 'string' ? code : undefined,
    constraint: typeof constraint === 'string' ? constraint : undefined,
  };
}
