import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PgliteWireServer } from './pglite-wire-server';

export interface EmbeddedPostgres {
  /** A postgres:// URL for the ordinary `pg` driver. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Directory for the database files; `memory` keeps everything in memory. */
  dataDir: string;
  port?: number;
  host?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Two processes writing one PGlite directory would corrupt it, so the directory is locked by pid. */
function lockDataDir(dir: string): () => void {
  const lockFile = join(dir, 'invoiceiq.pid');
  try {
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `The embedded database in ${dir} is in use by process ${holder}. Stop it, or set DATA_DIR to another directory.`,
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

/**
 * PostgreSQL (PGlite, WASM) served in-process over the PostgreSQL wire protocol, so the app
 * uses the same `pg` driver, SQL and locking as in production. Connections take turns on the
 * single PGlite session, one transaction (or one implicit extended-protocol unit) at a time.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const inMemory = options.dataDir === 'memory';
  let unlock = (): void => undefined;
  let db: PGlite;
  if (inMemory) {
    db = await PGlite.create();
  } else {
    const dir = resolve(options.dataDir, 'pgdata');
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(resolve(options.dataDir));
    db = await PGlite.create({ dataDir: dir });
  }
  const host = options.host ?? '127.0.0.1';
  const server = new PgliteWireServer(db);
  await server.listen(options.port ?? 0, host);
  const port = server.port;
  let stopped = false;
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await db.close();
      unlock();
    },
  };
}
