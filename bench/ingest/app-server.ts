/**
 * The app side of the ingest bench: the real HTTP stack with the WhatsApp webhook (Meta's
 * signature scheme), recording each event and its inbound outbox row. No consumer is mounted,
 * so only ingestion is measured.
 *
 *   DATABASE_URL=… APP_SECRET=… node -r ts-node/register/transpile-only bench/ingest/app-server.ts
 *
 * Prints `{"url": …}` on its first stdout line once it listens.
 */
import { WhatsAppModule } from '../../src/channels/whatsapp/whatsapp.module';
import { startBenchApp } from '../bench-app';

void startBenchApp([WhatsAppModule], {
  DATABASE_URL: process.env.DATABASE_URL ?? '',
  WABA_PROVIDER: 'meta',
  WABA_APP_SECRET: process.env.APP_SECRET ?? '',
  WABA_VERIFY_TOKEN: 'bench-verify-token',
}).then(({ url }) => process.stdout.write(`${JSON.stringify({ url })}\n`));

// A clean exit on SIGTERM, so --cpu-prof (BENCH_CPU_PROF=1) writes its profile.
process.on('SIGTERM', () => process.exit(0));
