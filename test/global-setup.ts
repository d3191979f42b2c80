import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { createScratchDatabase, migrate } from './utils/test-database';

/**
 * One database for the whole run: a fresh one on the server DATABASE_URL names, or an embedded
 * PGlite (which cannot start inside a Jest test sandbox, hence here).
 */
export default async function globalSetup(): Promise<void> {
  const given = process.env.DATABASE_URL;
  if (given) {
    const scratch = await createScratchDatabase(given);
    process.env.DATABASE_URL = scratch.url;
    process.env.IQ_TEST_SERVER_URL = given;
    (globalThis as Record<string, unknown>).__IQ_TEARDOWN__ = scratch.drop;
  } else {
    const embedded = await startEmbeddedPostgres({ dataDir: 'memory' });
    process.env.DATABASE_URL = embedded.url;
    process.env.IQ_TEST_EMBEDDED = '1';
    (globalThis as Record<string, unknown>).__IQ_TEARDOWN__ = () => embedded.stop();
  }
  await migrate(process.env.DATABASE_URL);
}
