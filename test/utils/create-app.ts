import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import type { AppModuleOptions } from '../../src/app.module';
import { buildApp } from '../../src/bootstrap';
import type { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { LogCapture } from './log-capture';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** http://127.0.0.1:<port> */
  url: string;
  logs: LogCapture;
  close(): Promise<void>;
}

/** When this test file started (Jest loads modules afresh for every file). */
const FILE_STARTED_AT = new Date();

/**
 * Test files share one database and run one after another. Work an earlier file left queued
 * (outbox rows, timers) would otherwise be picked up by this file's pollers and call the
 * simulators behind its back; it is set aside here, and only work older than this file.
 */
async function quietLeftovers(url: string | undefined): Promise<void> {
  if (!url) return;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `UPDATE outbox SET status = 'dead', last_error = 'left over by an earlier test file'
        WHERE status IN ('pending', 'running') AND created_at < $1`,
      [FILE_STARTED_AT],
    );
    await client.query(
      `UPDATE timers SET status = 'cancelled', last_error = 'left over by an earlier test file'
        WHERE status IN ('pending', 'firing') AND created_at < $1`,
      [FILE_STARTED_AT],
    );
  } finally {
    await client.end();
  }
}

/** The real app on a random loopback port, on the run's database, in sandbox mode unless told otherwise. */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
  options: Pick<AppModuleOptions, 'imports' | 'clock'> & {
    /** The whole product, as `npm start` runs it; otherwise only infrastructure plus `imports`. */
    full?: boolean;
  } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    MIGRATIONS_RUN: 'false',
    DATABASE_URL: process.env.DATABASE_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    // Tests steer the simulators themselves; the demo cast and waiting prompts are for people.
    SANDBOX_DEMO: 'false',
    ...env,
  });
  await quietLeftovers(config.database.url);
  const logs = new LogCapture();
  const app = await buildApp(config, {
    logStream: logs,
    imports: options.imports,
    clock: options.clock,
    domain: options.full === true,
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (!address || typeof address !== 'object') throw new Error('server did not start');
  const url = `http://127.0.0.1:${address.port}`;
  config.setListenUrl(url);
  return { app, config, url, logs, close: () => app.close() };
}
