/**
 * Webhook ingest, side by side: signed WhatsApp status webhooks against the app's
 * POST /whatsapp/webhook and against a bare node:http + pg server doing the same signature
 * check and insert (bench/ingest/bare-server.ts), alternating, in one run. Each server is its
 * own process; autocannon runs in this one.
 *
 *   node -r ts-node/register/transpile-only bench/ingest.bench.ts [--seconds=5] [--connections=50] [--rounds=2]
 *
 * BENCH_CPU_PROF=1 writes each server's CPU profile into test-artifacts/profiles/.
 *
 * Uses a scratch database on BENCH_SERVER_URL (migrated, dropped afterwards). Prints req/s and
 * latency per target and round, the medians, the ratio app/bare and each server's RSS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createScratchDatabase, migrate } from '../test/utils/test-database';
import { argValue, BENCH_SERVER_URL } from './bench-db';

const SECRET = randomBytes(16).toString('hex');
const seconds = Number(argValue('seconds', '5'));
const connections = Number(argValue('connections', '50'));
const rounds = Number(argValue('rounds', '2'));

interface Server {
  name: string;
  url: string;
  path: string;
  child: ChildProcess;
}

function startServer(name: string, script: string, path: string, databaseUrl: string) {
  return new Promise<Server>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${join(process.cwd(), 'test-artifacts', 'profiles')}`]
          : []),
        '-r',
        'ts-node/register/transpile-only',
        join(__dirname, 'ingest', script),
      ],
      {
        env: { ...process.env, DATABASE_URL: databaseUrl, APP_SECRET: SECRET },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line)
        resolve({ name, url: (JSON.parse(line) as { url: string }).url, path, child });
    });
    child.on('exit', (code) =>
      reject(new Error(`${name} exited (${String(code)}) before listening`)),
    );
  });
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Math.round(Number(kb) / 1024) : Number.NaN;
}

let sequence = 0;
/** One status webhook for a wamid nobody sent: unique per request, signed like Meta signs it. */
function statusWebhook(): { body: string; signature: string } {
  const id = `wamid.BENCH${process.pid}${(sequence++).toString(36).toUpperCase()}`;
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '1065403522' },
              statuses: [
                {
                  id,
                  status: 'delivered',
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  recipient_id: '254712345678',
                },
              ],
            },
          },
        ],
      },
    ],
  });
  return { body, signature: `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` };
}

async function load(server: Server, duration: number) {
  const result = await autocannon({
    url: `${server.url}${server.path}`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const { body, signature } = statusWebhook();
          return {
            ...request,
            body,
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
          };
        },
      },
    ],
  });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const scratch = await createScratchDatabase(BENCH_SERVER_URL, 'iq_bench_ingest');
  const servers: Server[] = [];
  try {
    await migrate(scratch.url);
    servers.push(await startServer('app', 'app-server.ts', '/whatsapp/webhook', scratch.url));
    servers.push(await startServer('bare', 'bare-server.ts', '/', scratch.url));
    const idle = Object.fromEntries(servers.map((s) => [s.name, rssMb(s.child.pid)]));
    // Warm-up: JIT, pools, prepared plans.
    for (const s of servers) await load(s, 1);
    const rows: {
      target: string;
      round: number;
      rps: number;
      p50: number;
      p99: number;
      non2xx: number;
      errors: number;
    }[] = [];
    for (let round = 1; round <= rounds; round++)
      for (const s of servers) rows.push({ target: s.name, round, ...(await load(s, seconds)) });
    console.table(rows);
    const of = (name: string) => rows.filter((r) => r.target === name);
    const summary = servers.map((s) => ({
      target: s.name,
      'req/s (median)': median(of(s.name).map((r) => r.rps)),
      'p99 ms (median)': median(of(s.name).map((r) => r.p99)),
      'RSS MB idle → after': `${idle[s.name]} → ${rssMb(s.child.pid)}`,
    }));
    console.table(summary);
    const ratio = summary[0]!['req/s (median)'] / summary[1]!['req/s (median)'];
    console.log(
      `ingest: app/bare = ${ratio.toFixed(2)} (goal ≥ 0.60), ${connections} connections, ${seconds} s × ${rounds} rounds`,
    );
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await scratch.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
