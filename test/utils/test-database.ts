import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';

/** Creates a throwaway database on the server of `serverUrl` and returns its URL. */
export async function createScratchDatabase(
  serverUrl: string,
  prefix = 'iq_test',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function migrate(url: string): Promise<void> {
  const ds = new DataSource(dataSourceOptions({ url }));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
}

export async function openDataSource(url = process.env.DATABASE_URL): Promise<DataSource> {
  if (!url)
    throw new Error('DATABASE_URL is not set: run tests through jest (global-setup sets it)');
  const ds = new DataSource(dataSourceOptions({ url, poolSize: 5 }));
  return ds.initialize();
}
