/**
 * Runs every migration up, then every one down, then up again, on a throwaway database:
 * a fresh database on the server DATABASE_URL names, or an in-memory embedded one.
 * Exits non-zero on any failure. Used by CI and by test/e2e/migrations.e2e-spec.ts.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { dataSourceOptions } from '../src/database/data-source-options';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { createScratchDatabase } from '../test/utils/test-database';

async function tables(ds: DataSource): Promise<string[]> {
  const rows: { tablename: string }[] = await ds.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY 1`,
  );
  return rows.map((r) => r.tablename);
}

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL;
  let url: string;
  let cleanup: () => Promise<void>;
  if (server) {
    const scratch = await createScratchDatabase(server, 'iq_migcheck');
    url = scratch.url;
    cleanup = scratch.drop;
  } else {
    const embedded = await startEmbeddedPostgres({ dataDir: 'memory' });
    url = embedded.url;
    cleanup = embedded.stop;
  }
  const ds = await new DataSource(dataSourceOptions({ url })).initialize();
  try {
    const up1 = await ds.runMigrations({ transaction: 'each' });
    const created = await tables(ds);
    console.log(`up: ${up1.length} migration(s), ${created.length} tables`);
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const left = await tables(ds);
    if (left.length > 0) throw new Error(`down left tables behind: ${left.join(', ')}`);
    console.log(`down: ${MIGRATIONS.length} migration(s), no tables left`);
    const up2 = await ds.runMigrations({ transaction: 'each' });
    const again = await tables(ds);
    if (again.join() !== created.join()) throw new Error('second up produced a different schema');
    console.log(`up again: ${up2.length} migration(s), ${again.length} tables`);
    console.log(`migrations up/down/up OK on ${server ? 'PostgreSQL' : 'embedded PGlite'}`);
  } finally {
    await ds.destroy();
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error('migrations check FAILED:', error instanceof Error ? error.message : error);
  process.exit(1);
});
