import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

export interface DatabaseSettings {
  url: string;
  migrationsRun?: boolean;
  poolSize?: number;
}

/** One definition of how we reach PostgreSQL, shared by the app, the TypeORM CLI and the tests. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    // No entities: the hand-written migrations are the schema, and repositories write SQL.
    entities: [],
    migrations: MIGRATIONS,
    migrationsRun: settings.migrationsRun ?? false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize: settings.poolSize ?? 10,
    extra: {
      connectionTimeoutMillis: 5_000,
      // Bounded so a lost connection turns into an error instead of a hung request.
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'invoiceiq',
    },
  };
}
