import type { NestExpressApplication } from '@nestjs/platform-express';
import { Writable } from 'node:stream';
import { buildApp } from '../src/bootstrap';
import type { AppConfig } from '../src/config/app-config';
import { loadConfig } from '../src/config/load-config';
import { benchDatabaseUrl } from './bench-db';

export interface BenchApp {
  app: NestExpressApplication;
  config: AppConfig;
  url: string;
}

/** Log lines are dropped: pino writing to a terminal would be measured too. */
class Sink extends Writable {
  override _write(_chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    callback();
  }
}

/**
 * The real app (HTTP stack, guards, validation, pool) on the bench database, with only the
 * modules under measurement mounted beside the infrastructure.
 */
export async function startBenchApp(
  imports: NonNullable<Parameters<typeof buildApp>[1]>['imports'],
  env: Record<string, string> = {},
): Promise<BenchApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    MIGRATIONS_RUN: 'false',
    DATABASE_URL: benchDatabaseUrl(),
    PORT: '0',
    HOST: '127.0.0.1',
    SANDBOX_DEMO: 'false',
    RETENTION_MODE: 'off',
    ...env,
  });
  const app = await buildApp(config, { logStream: new Sink(), imports, domain: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (!address || typeof address !== 'object') throw new Error('server did not start');
  const url = `http://127.0.0.1:${address.port}`;
  config.setListenUrl(url);
  return { app, config, url };
}
