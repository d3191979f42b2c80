/**
 * Riding out a lost database connection (a failover, a restart, a network cut) for work that
 * holds something only this process knows, such as Daraja's answer to a push or a callback
 * Daraja will not send again: the write is tried again for a few seconds instead of failing.
 * Only for idempotent work, because a connection lost during COMMIT leaves it unknown whether the
 * first try committed.
 */

/** node-postgres socket errors and PostgreSQL's connection-failure and shutdown codes. */
const LOST_CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
]);

export function isConnectionLoss(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && LOST_CONNECTION_CODES.has(code)) return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
}

export interface ConnectionLossRetry {
  /** How long to keep trying, in all. */
  budgetMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function retryOnConnectionLoss<T>(
  work: () => Promise<T>,
  { budgetMs, sleep = defaultSleep }: ConnectionLossRetry,
): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await work();
    } catch (error) {
      if (!isConnectionLoss(error) || Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}
