import type { NestExpressApplication } from '@nestjs/platform-express';
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

/** The real app on a random loopback port, on the run's database, in sandbox mode unless told otherwise. */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
  options: Pick<AppModuleOptions, 'imports' | 'clock'> = {},
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
  const logs = new LogCapture();
  const app = await buildApp(config, { logStream: logs, ...options });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (!address || typeof address !== 'object') throw new Error('server did not start');
  const url = `http://127.0.0.1:${address.port}`;
  config.setListenUrl(url);
  return { app, config, url, logs, close: () => app.close() };
}
