/**
 * Messages a second through the outbox: N SMS deliveries queued at once, each sent by the
 * dispatcher through the real Africa's Talking client to the simulator (in this process, over
 * loopback, answering at once), until every one has its messages row.
 *
 *   node -r ts-node/register/transpile-only bench/outbox.bench.ts [--messages=2000]
 *
 * Uses a scratch database on BENCH_SERVER_URL (migrated, dropped afterwards). Prints the rate,
 * the time to the first and the last send, and this process's RSS before and after.
 */
import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DeliveryModule } from '../src/channels/delivery/delivery.module';
import { DeliveryService } from '../src/channels/delivery/delivery.service';
import { RuntimeSignals } from '../src/runtime/runtime-signals';
import { createScratchDatabase, migrate } from '../test/utils/test-database';
import { startBenchApp } from './bench-app';
import { argValue, BENCH_SERVER_URL } from './bench-db';

const messages = Number(argValue('messages', '2000'));
const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
const phone = () => `+2547${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;

async function main(): Promise<void> {
  const scratch = await createScratchDatabase(BENCH_SERVER_URL, 'iq_bench_outbox');
  try {
    await migrate(scratch.url);
    const { app } = await startBenchApp([DeliveryModule], {
      DATABASE_URL: scratch.url,
      SANDBOX: 'true',
    });
    try {
      const db = app.get(DataSource);
      const rssBefore = rssMb();
      const started = Date.now();
      const signals = app.get(RuntimeSignals);
      const deliveries = app.get(DeliveryService);
      for (let batch = 0; batch < messages; batch += 200) {
        await signals.transaction(async (tx) => {
          for (let i = batch; i < Math.min(messages, batch + 200); i++)
            await deliveries.enqueue(
              tx,
              {
                to: phone(),
                channel: 'sms',
                purpose: 'bench',
                content: { type: 'text', body: `Bench message ${i}` },
              },
              { key: `bench:${started}:${i}`, source: 'bench' },
            );
        });
      }
      const queued = Date.now();
      let sent = 0;
      let sentWhileQueueing = -1;
      while (sent < messages) {
        const [row] = await db.query<{ n: string }[]>(
          `SELECT count(*) AS n FROM messages WHERE channel = 'sms' AND direction = 'outbound'`,
        );
        sent = Number(row?.n ?? 0);
        // The dispatcher starts on the first commit: what it sent meanwhile is not in the rate.
        if (sentWhileQueueing < 0) sentWhileQueueing = sent;
        if (Date.now() - queued > 180_000)
          throw new Error(`only ${sent} of ${messages} sent in 3 min`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const done = Date.now();
      console.table([
        {
          messages,
          'queued in ms': queued - started,
          'sent while queueing': sentWhileQueueing,
          'rest sent in ms': done - queued,
          'msgs/s (after queueing)': Math.round(
            ((messages - sentWhileQueueing) * 1000) / (done - queued),
          ),
          'msgs/s (whole run)': Math.round((messages * 1000) / (done - started)),
          'RSS MB before → after': `${rssBefore} → ${rssMb()}`,
        },
      ]);
    } finally {
      await app.close();
    }
  } finally {
    await scratch.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
