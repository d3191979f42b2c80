import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { type SpawnedApp, spawnApp, waitForHttp } from '../utils/spawn-app';
import { RoundRobinProxy, TcpProxy } from '../utils/tcp-proxy';
import type { DarajaSimulator } from './daraja-simulator';
import type { MessagingSimulator } from './messaging-simulator';

/**
 * Two app processes from the build (`node dist/src/main.js`) on one fresh PostgreSQL database,
 * behind a round-robin TCP load balancer, with a TCP proxy between them and PostgreSQL that the
 * run can cut. Providers are the simulators of this suite, reached with SANDBOX=false and
 * production-like credentials.
 */

export type Slot = 'A' | 'B';

export interface AppProcess {
  slot: Slot;
  /** Slot and incarnation, e.g. "A1", "B2": the path prefix on every provider call it makes. */
  tag: string;
  port: number;
  app: SpawnedApp;
  startedAt: number;
  readyAt?: number;
  /** Killed or stopped on purpose. */
  expectedExit: boolean;
  exit?: { code: number | null; at: number };
}

export interface ClusterSecrets {
  adminKey: string;
  wabaToken: string;
  wabaWebhookSecret: string;
  smsUsername: string;
  smsApiKey: string;
  smsWebhookSecret: string;
  consumerKey: string;
  consumerSecret: string;
  shortcode: string;
  passkey: string;
  callbackSecret: string;
}

export function newSecrets(): ClusterSecrets {
  const token = (n: number) => randomBytes(n).toString('base64url');
  return {
    adminKey: `rel-admin-${token(24)}`,
    wabaToken: token(32),
    wabaWebhookSecret: token(24),
    smsUsername: 'invoiceiq',
    smsApiKey: `atsk_${randomBytes(24).toString('hex')}`,
    smsWebhookSecret: token(24),
    consumerKey: token(24),
    consumerSecret: token(12),
    shortcode: '4123457',
    passkey: randomBytes(32).toString('hex'),
    callbackSecret: token(24),
  };
}

/**
 * Tunables the run sets: the app validates them at start, so every one here is one it knows.
 */
export const RUN_TUNABLES: Record<string, string> = {
  SMS_FALLBACK_AFTER_SECONDS: '86400', // no SMS copy of WhatsApp messages the simulator never marks delivered
  STATS_ROLLUP_INTERVAL_SECONDS: '2',
  RETENTION_MODE: 'off',
  INVOICE_EXPIRY_GRACE_DAYS: 'off',
  // A killed process's claimed rows are taken over after 20 s (the least the app allows).
  OUTBOX_LEASE_SECONDS: '20',
  // Enough handlers for 20+ pushes in flight across the two processes at the kill.
  OUTBOX_CONCURRENCY: '32',
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export class AppCluster {
  readonly processes: AppProcess[] = [];
  readonly unexpectedExits: { tag: string; code: number | null; at: number }[] = [];
  dbName = '';
  dbProxy?: TcpProxy;
  balancer?: RoundRobinProxy;
  private ports: Record<Slot, number> = { A: 0, B: 0 };
  private incarnations: Record<Slot, number> = { A: 0, B: 0 };
  private readonly logs: WriteStream[] = [];

  constructor(
    private readonly options: {
      root: string;
      artifactsDir: string;
      /** postgres://postgres@127.0.0.1:5432/postgres */
      serverUrl: string;
      secrets: ClusterSecrets;
      daraja: DarajaSimulator;
      messaging: MessagingSimulator;
    },
  ) {}

  get balancerUrl(): string {
    return `http://127.0.0.1:${this.balancer?.port ?? 0}`;
  }

  get callbackUrl(): string {
    return `${this.balancerUrl}/payments/stk/callback/${this.options.secrets.callbackSecret}`;
  }

  /** The app processes that are up, as base URLs (for callbacks sent straight to a process). */
  liveBaseUrls(): string[] {
    return this.processes
      .filter((p) => p.readyAt !== undefined && p.exit === undefined)
      .map((p) => `http://127.0.0.1:${p.port}`);
  }

  live(slot: Slot): AppProcess | undefined {
    return this.processes.find((p) => p.slot === slot && p.exit === undefined);
  }

  async start(): Promise<void> {
    const server = new URL(this.options.serverUrl);
    this.dbName = `iq_rel_${Date.now()}_${randomBytes(3).toString('hex')}`;
    const admin = new Client({ connectionString: this.options.serverUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${this.dbName}`);
    } finally {
      await admin.end();
    }
    this.dbProxy = await new TcpProxy(server.hostname, Number(server.port || 5432)).start();
    this.ports = { A: await freePort(), B: await freePort() };
    this.balancer = await new RoundRobinProxy([
      { host: '127.0.0.1', port: this.ports.A },
      { host: '127.0.0.1', port: this.ports.B },
    ]).start();
    // One after the other: the first runs the migrations.
    await this.startSlot('A');
    await this.startSlot('B');
  }

  /** A URL of the run's database that bypasses the cuttable proxy (for the checks). */
  directDatabaseUrl(): string {
    const u = new URL(this.options.serverUrl);
    u.pathname = `/${this.dbName}`;
    return u.toString();
  }

  private env(slot: Slot, tag: string): Record<string, string> {
    const s = this.options.secrets;
    const { daraja, messaging } = this.options;
    return {
      NODE_ENV: 'production',
      PORT: String(this.ports[slot]),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: this.balancerUrl,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${this.dbProxy!.port}/${this.dbName}`,
      MIGRATIONS_RUN: 'true',
      DATABASE_POOL_SIZE: '10',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      ADMIN_API_KEY: s.adminKey,
      SANDBOX: 'false',
      WABA_PROVIDER: '360dialog',
      WABA_BASE_URL: messaging.wabaBaseUrl(tag),
      WABA_TOKEN: s.wabaToken,
      WABA_WEBHOOK_SECRET: s.wabaWebhookSecret,
      SMS_BASE_URL: messaging.smsUrl(tag),
      SMS_USERNAME: s.smsUsername,
      SMS_API_KEY: s.smsApiKey,
      SMS_WEBHOOK_SECRET: s.smsWebhookSecret,
      MPESA_BASE_URL: daraja.baseUrl(tag),
      MPESA_CONSUMER_KEY: s.consumerKey,
      MPESA_CONSUMER_SECRET: s.consumerSecret,
      MPESA_SHORTCODE: s.shortcode,
      MPESA_PASSKEY: s.passkey,
      MPESA_TRANSACTION_TYPE: 'CustomerPayBillOnline',
      MPESA_CALLBACK_URL: this.callbackUrl,
      MPESA_CALLBACK_SECRET: s.callbackSecret,
      ...RUN_TUNABLES,
    };
  }

  async startSlot(slot: Slot): Promise<AppProcess> {
    this.incarnations[slot] += 1;
    const tag = `${slot}${this.incarnations[slot]}`;
    const log = createWriteStream(join(this.options.artifactsDir, `app-${tag}.log`));
    this.logs.push(log);
    const app = spawnApp(this.env(slot, tag), {
      entry: 'dist',
      root: this.options.root,
      keepOutput: false,
      onOutput: (chunk) => log.write(chunk),
    });
    const proc: AppProcess = {
      slot,
      tag,
      port: this.ports[slot],
      app,
      startedAt: Date.now(),
      expectedExit: false,
    };
    this.processes.push(proc);
    void app.exited.then((code) => {
      proc.exit = { code, at: Date.now() };
      if (!proc.expectedExit) this.unexpectedExits.push({ tag, code, at: Date.now() });
    });
    await Promise.race([
      waitForHttp(`http://127.0.0.1:${proc.port}/readyz`, 90_000),
      app.exited.then((code) => {
        throw new Error(`app ${tag} exited with ${code} before it was ready (see app-${tag}.log)`);
      }),
    ]);
    proc.readyAt = Date.now();
    return proc;
  }

  async kill(slot: Slot): Promise<AppProcess> {
    const proc = this.live(slot);
    if (!proc) throw new Error(`no live process in slot ${slot}`);
    proc.expectedExit = true;
    proc.app.child.kill('SIGKILL');
    await proc.app.exited;
    return proc;
  }

  /** Stops every process (SIGTERM, then SIGKILL after 15 s), the proxies, and drops the database. */
  async stop(options: { keepDatabase?: boolean } = {}): Promise<void> {
    const alive = this.processes.filter((p) => p.exit === undefined);
    for (const p of alive) {
      p.expectedExit = true;
      p.app.child.kill('SIGTERM');
    }
    await Promise.all(
      alive.map(async (p) => {
        const timer = setTimeout(() => p.app.child.kill('SIGKILL'), 15_000);
        await p.app.exited;
        clearTimeout(timer);
      }),
    );
    await this.balancer?.close();
    await this.dbProxy?.cut();
    for (const log of this.logs) log.end();
    if (this.dbName && !options.keepDatabase) {
      const admin = new Client({ connectionString: this.options.serverUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    }
  }
}
