import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { loadEnvFile } from 'node:process';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options';
import { startEmbeddedPostgres } from './src/database/embedded-postgres';

/**
 * Data source for the TypeORM CLI (`npm run migration:*`). Uses DATABASE_URL, or opens the
 * embedded database in DATA_DIR (stop the app first: the directory is locked while it runs).
 */
async function cliDataSource(): Promise<DataSource> {
  if (existsSync('.env')) loadEnvFile('.env');
  const url = process.env.DATABASE_URL;
  if (url) return new DataSource(dataSourceOptions({ url }));
  const embedded = await startEmbeddedPostgres({ dataDir: process.env.DATA_DIR ?? './data' });
  const dataSource = new DataSource(dataSourceOptions({ url: embedded.url }));
  const destroy = dataSource.destroy.bind(dataSource);
  // The CLI ends by destroying the data source; the embedded server must stop with it or the process stays up.
  dataSource.destroy = async () => {
    await destroy();
    await embedded.stop();
  };
  return dataSource;
}

export const dataSource = cliDataSource();
