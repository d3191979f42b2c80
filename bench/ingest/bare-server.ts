/**
 * The reference for the ingest bench: a bare node:http + pg server doing the least a correct
 * webhook endpoint must do. It checks X-Hub-Signature-256 (HMAC-SHA256 of the raw body, constant
 * time), parses the JSON, and records each status id once (INSERT … ON CONFLICT DO NOTHING).
 *
 *   DATABASE_URL=… APP_SECRET=… node -r ts-node/register/transpile-only bench/ingest/bare-server.ts
 *
 * Prints `{"url": …}` on its first stdout line once it listens.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool } from 'pg';

const secret = process.env.APP_SECRET ?? '';
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

function signedBy(raw: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface StatusBody {
  entry?: { changes?: { value?: { statuses?: { id?: string; status?: string }[] } }[] }[];
}

function statusKeys(body: StatusBody): string[] {
  const keys: string[] = [];
  for (const entry of body.entry ?? [])
    for (const change of entry.changes ?? [])
      for (const s of change.value?.statuses ?? [])
        if (s.id && s.status) keys.push(`${s.id}:${s.status}`);
  return keys;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const header = req.headers['x-hub-signature-256'];
    if (!signedBy(raw, typeof header === 'string' ? header : undefined)) {
      res.writeHead(401).end();
      return;
    }
    let keys: string[];
    try {
      keys = statusKeys(JSON.parse(raw.toString('utf8')) as StatusBody);
    } catch {
      res.writeHead(400).end();
      return;
    }
    pool
      .query(
        `INSERT INTO bench_bare_events (external_id) SELECT unnest($1::text[])
         ON CONFLICT DO NOTHING`,
        [keys],
      )
      .then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'))
      .catch(() => res.writeHead(500).end());
  });
});

void pool
  .query(`CREATE TABLE IF NOT EXISTS bench_bare_events (external_id text PRIMARY KEY)`)
  .then(() =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address && typeof address === 'object')
        process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
    }),
  );

// A clean exit on SIGTERM, so --cpu-prof (BENCH_CPU_PROF=1) writes its profile.
process.on('SIGTERM', () => process.exit(0));
