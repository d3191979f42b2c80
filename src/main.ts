import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { loadEnvFile } from 'node:process';
import { ConfigError, loadConfig } from './config/load-config';

/* eslint-disable no-console -- before the logger exists, the console is the only way to explain a failed start */

async function main(): Promise<void> {
  if (existsSync('.env')) loadEnvFile('.env');
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  // Loaded after the configuration is known to be good, so a bad variable fails fast.
  const { startEmbeddedPostgres } = await import('./database/embedded-postgres');
  const { buildApp } = await import('./bootstrap');
  const { Logger } = await import('nestjs-pino');

  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: config.database.dataDir,
        port: config.database.embeddedPort,
      });
  const appConfig = embedded ? config.withDatabaseUrl(embedded.url) : config;
  const app = await buildApp(appConfig);
  const logger = app.get(Logger);

  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.log(`${signal} received: draining requests and stopping`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    void (async () => {
      try {
        await app.close();
        await embedded?.stop();
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen(appConfig.http.port, appConfig.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : appConfig.http.port;
  appConfig.setListenUrl(`http://127.0.0.1:${port}`);
  logger.log({
    msg: `InvoiceIQ listening on http://localhost:${port} (API docs at /docs)`,
    port,
    database: embedded ? `embedded (${config.database.dataDir})` : 'postgres',
    sandbox: appConfig.sandbox,
  });
  if (appConfig.sandbox) {
    logger.log(
      `Sandbox mode: WhatsApp, SMS and M-PESA are simulated in this process. Open http://localhost:${port}/sandbox to play merchant and customer.`,
    );
  }
}

main().catch((error: unknown) => {
  console.error('InvoiceIQ failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
