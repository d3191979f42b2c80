import { Client } from 'pg';

/** The machine's PostgreSQL server; the bench database lives beside the others on it. */
export const BENCH_SERVER_URL =
  process.env.BENCH_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/';
export const BENCH_DB = process.env.BENCH_DB ?? 'invoiceiq_bench';

export function benchDatabaseUrl(): string {
  const url = new URL(BENCH_SERVER_URL);
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

export async function withServer<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const url = new URL(BENCH_SERVER_URL);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function argValue(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return arg ? arg.slice(prefix.length) : fallback;
}
