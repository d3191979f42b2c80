import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { AppCluster, newSecrets, RUN_TUNABLES, type Slot } from './cluster';
import { DarajaSimulator } from './daraja-simulator';
import { Driver } from './driver';
import { httpRequest, seededRandom, sleep } from './http';
import {
  type DriftFact,
  evaluate,
  type FaultWindow,
  type PaymentFact,
  renderTable,
  type RunFacts,
} from './invariants';
import { MessagingSimulator } from './messaging-simulator';

/**
 * The reliability suite (issue 13, item 5): two app processes from dist/ on one PostgreSQL
 * database, behind a round-robin balancer, with Daraja, WhatsApp and Africa's Talking simulated
 * in this process. Drives hundreds of invoices to payment while it SIGKILLs a process with
 * pushes in flight, cuts every database connection, and takes Daraja down for 30 s; then checks
 * that money, prompts and receipts came out right. Run with `npm run test:reliability`
 * (docs/RELIABILITY.md).
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const env = process.env;
const ROOT = resolve(__dirname, '../..');

const config = {
  root: env.REL_APP_ROOT ? resolve(env.REL_APP_ROOT) : ROOT,
  serverUrl: env.REL_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  invoices: Number(env.REL_INVOICES ?? 300),
  concurrency: Number(env.REL_CONCURRENCY ?? 12),
  /** During the kill phase, to get ≥ 20 pushes in flight. */
  killConcurrency: Number(env.REL_KILL_CONCURRENCY ?? 40),
  seed: Number(env.REL_SEED ?? Math.floor(Math.random() * 1e9)),
  /** Invoices still unpaid this long after the start are given up. */
  driveMs: Number(env.REL_DRIVE_SECONDS ?? 450) * SECOND,
  maxWallMs: 10 * MINUTE,
  minInFlight: 10,
  minPushesInFlightAtKill: 20,
};

function gitDescribe(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations'], {
      cwd: root,
    })
      .toString()
      .trim();
    return dirty ? `${head} + uncommitted changes in src/ or migrations/` : head;
  } catch {
    return 'unknown commit';
  }
}

/** Waits for `p` at most `ms` (the timer is cleared either way). */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

async function until(cond: () => boolean, timeoutMs: number, stepMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

interface ChaosLog {
  faults: FaultWindow[];
  notes: string[];
  pushesInFlightAtKill: number;
  dbConnectionsCut: number;
  done: boolean;
}

describe('reliability: two processes, a SIGKILL, a database cut and a Daraja outage', () => {
  it(
    'keeps every payment, prompt and receipt right',
    async () => {
      const t0 = Date.now();
      const runId = `${new Date(t0).toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
      const artifactsDir = join(ROOT, 'test-artifacts', 'reliability', runId);
      mkdirSync(artifactsDir, { recursive: true });
      const random = seededRandom(config.seed);
      const commit = env.REL_APP_LABEL ?? gitDescribe(config.root);
      out(
        `reliability run ${runId}: seed ${config.seed}, ${config.invoices} invoices, ` +
          `concurrency ${config.concurrency}, app ${config.root} @ ${commit}; logs in ${artifactsDir}`,
      );

      const secrets = newSecrets();
      // Callback copies go straight to the processes that are up (known once the cluster exists).
      const processes = { live: (): string[] => [] };
      const daraja = await new DarajaSimulator({
        consumerKey: secrets.consumerKey,
        consumerSecret: secrets.consumerSecret,
        shortcode: secrets.shortcode,
        passkey: secrets.passkey,
        random,
        directTargets: () => processes.live(),
      }).start();
      const messaging = await new MessagingSimulator({
        wabaToken: secrets.wabaToken,
        smsUsername: secrets.smsUsername,
        smsApiKey: secrets.smsApiKey,
      }).start();
      const cluster = new AppCluster({
        root: config.root,
        artifactsDir,
        serverUrl: config.serverUrl,
        secrets,
        daraja,
        messaging,
      });
      processes.live = () => cluster.liveBaseUrls();
      let db: Client | undefined;
      let verdictAt = 0;

      try {
        await cluster.start();
        out(`two processes ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        // The checks read the database directly, not through the proxy the run cuts.
        db = new Client({ connectionString: cluster.directDatabaseUrl() });
        await db.connect();

        const driver = new Driver(
          cluster.balancerUrl,
          secrets.adminKey,
          random,
          runId,
          config.concurrency,
        );
        await driver.createMerchants(3, Date.now() + 30 * SECOND);

        const chaos: ChaosLog = {
          faults: [],
          notes: [],
          pushesInFlightAtKill: 0,
          dbConnectionsCut: 0,
          done: false,
        };
        const deadline = t0 + config.driveMs;
        const chaosRun = runChaos(cluster, daraja, driver, chaos, deadline).catch(
          (error: unknown) => {
            chaos.notes.push(`chaos script failed: ${String(error)}`);
          },
        );
        const progress = setInterval(() => {
          const f = daraja.inFlight();
          out(
            `  t+${Math.round((Date.now() - t0) / 1000)}s invoices ${driver.invoices.length} started, ` +
              `${driver.completed} done, ${driver.inFlight} in flight; pushes ${daraja.stats.pushes}, ` +
              `in flight ${f.total}; messages ${messaging.messages.length}`,
          );
        }, 15 * SECOND);
        try {
          await driver.run(
            config.invoices,
            () => !chaos.done,
            Math.min(deadline - 60 * SECOND, t0 + 6 * MINUTE),
            deadline,
          );
          await withTimeout(chaosRun, 120 * SECOND);
        } finally {
          clearInterval(progress);
        }

        // Let receipts and notices go out: until nothing is due in the outbox (bounded).
        const settleUntil = Math.min(Date.now() + 45 * SECOND, t0 + config.maxWallMs - 60 * SECOND);
        await sleep(3 * SECOND);
        for (;;) {
          const { rows } = await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM outbox
              WHERE status = 'running' OR (status = 'pending' AND next_attempt_at <= now() + interval '3 seconds')`,
          );
          if (Number(rows[0].n) === 0 || Date.now() > settleUntil) break;
          await sleep(SECOND);
        }

        const facts = await collectFacts(db, cluster, daraja, messaging, driver, chaos, secrets);
        facts.harness.wallMs = Date.now() - t0;
        const rows = evaluate(facts);
        verdictAt = Date.now();
        const title =
          `Reliability run ${runId} — app ${commit}, seed ${config.seed}, ` +
          `${(facts.harness.wallMs / 1000).toFixed(0)} s`;
        const table = renderTable(rows, title);
        const context = describeRun(daraja, messaging, driver, cluster, chaos, facts);
        out(`\n${table}\n\n${context}\n`);
        writeFileSync(join(artifactsDir, 'report.txt'), `${table}\n\n${context}\n`);
        writeFileSync(
          join(artifactsDir, 'facts.json'),
          JSON.stringify({ rows, facts, pushes: daraja.pushes, chaos }, null, 1),
        );
        const failed = rows.filter((r) => !r.ok).map((r) => `${r.id} ${r.check}: ${r.figure}`);
        expect(failed).toEqual([]);
      } finally {
        await db?.end().catch(() => undefined);
        // Simulators first, so no callback is posted to a process that is stopping.
        await daraja.close();
        await messaging.close();
        await cluster.stop({ keepDatabase: env.REL_KEEP_DATABASE === '1' }).catch((error) => {
          out(`cleanup failed: ${String(error)}`);
        });
        if (verdictAt) out(`teardown took ${((Date.now() - verdictAt) / 1000).toFixed(1)} s`);
      }
    },
    11 * MINUTE,
  );
});

/** The faults, in order, each bounded in time; runs beside the driver. */
async function runChaos(
  cluster: AppCluster,
  daraja: DarajaSimulator,
  driver: Driver,
  log: ChaosLog,
  deadline: number,
): Promise<void> {
  try {
    // Warm up on the happy path.
    await until(() => driver.completed >= 40, 90 * SECOND);

    // 1. SIGKILL one process while pushes are in flight: slow push answers, more invoices at once.
    daraja.slowPushAnswers([6_000, 10_000]);
    driver.concurrency = config.killConcurrency;
    let peak = 0;
    const reached = await until(
      () => {
        const n = daraja.inFlight().total;
        peak = Math.max(peak, n);
        return n >= config.minPushesInFlightAtKill;
      },
      45 * SECOND,
      20,
    );
    // Not reached (the app caps how many pushes run at once): kill at the next peak instead.
    if (!reached)
      await until(() => daraja.inFlight().total >= Math.max(1, peak - 1), 20 * SECOND, 10);
    const inFlight = daraja.inFlight();
    const bySlot: Record<Slot, number> = { A: 0, B: 0 };
    for (const [tag, n] of Object.entries(inFlight.byTag)) bySlot[tag[0] as Slot] += n;
    const victim: Slot = bySlot.A >= bySlot.B ? 'A' : 'B';
    const killAt = Date.now();
    const killed = await cluster.kill(victim);
    log.pushesInFlightAtKill = inFlight.total;
    log.notes.push(
      `SIGKILL ${killed.tag} at t+${Math.round((killAt - driver.invoices[0].startedAt) / 1000)}s with ` +
        `${inFlight.total} pushes in flight (${JSON.stringify(inFlight.byTag)})` +
        (reached
          ? ''
          : ` — the target of ${config.minPushesInFlightAtKill} was not reached in 45 s`),
    );
    daraja.slowPushAnswers(null);
    driver.concurrency = config.concurrency;
    await sleep(3 * SECOND);
    const restarted = await cluster.startSlot(victim);
    log.notes.push(
      `${restarted.tag} ready ${((restarted.readyAt! - killAt) / 1000).toFixed(1)} s after the kill`,
    );
    // The dead process's claims run out with the outbox lease (60 s in this build).
    log.faults.push({
      name: `SIGKILL of ${killed.tag}`,
      start: killAt,
      end: restarted.readyAt! + 60 * SECOND,
    });

    // 2. Cut every database connection (and refuse new ones for 3 s).
    await sleep(15 * SECOND);
    const cutAt = Date.now();
    log.dbConnectionsCut = cluster.dbProxy!.dropConnections(3 * SECOND);
    log.faults.push({ name: 'database cut', start: cutAt, end: cutAt + 3 * SECOND });
    log.notes.push(`database: ${log.dbConnectionsCut} connections cut, new ones refused for 3 s`);

    // 3. Daraja answers 500 or nothing at all for 30 s.
    await sleep(20 * SECOND);
    const outage = daraja.startOutage(30 * SECOND);
    // Calls that hung are given up by the app's client (15 s) after the window.
    log.faults.push({ name: 'Daraja outage', start: outage.start, end: outage.end + 15 * SECOND });
    await sleep(30 * SECOND);
    log.notes.push(
      `Daraja outage over: ${daraja.stats.outage500s} answered 500, ${daraja.stats.outageHangs} hung`,
    );
    if (Date.now() > deadline) log.notes.push('chaos ran past the drive deadline');
  } finally {
    daraja.slowPushAnswers(null);
    driver.concurrency = config.concurrency;
    log.done = true;
  }
}

async function collectFacts(
  db: Client,
  cluster: AppCluster,
  daraja: DarajaSimulator,
  messaging: MessagingSimulator,
  driver: Driver,
  chaos: ChaosLog,
  secrets: { adminKey: string },
): Promise<RunFacts> {
  // payments.overpaid_amount exists only in builds with overpayment tracking.
  const hasOverpaid =
    (
      await db.query(
        `SELECT 1 FROM information_schema.columns WHERE table_name = 'payments' AND column_name = 'overpaid_amount'`,
      )
    ).rowCount === 1;
  const invoices = await db.query<{
    ref: string;
    state: string;
    amount: number;
    amount_paid: number;
    overpaid: string | null;
  }>(
    `SELECT i.ref, i.state, i.amount, i.amount_paid,
            ${hasOverpaid ? '(SELECT sum(p.overpaid_amount) FROM payments p WHERE p.invoice_id = i.id)' : 'NULL'} AS overpaid
       FROM invoices i`,
  );
  const paymentRow = (r: any): PaymentFact => ({
    id: r.id,
    ref: r.ref,
    status: r.status,
    amount: Number(r.amount),
    checkoutRequestId: r.checkout_request_id,
    initiatedAt: new Date(r.initiated_at).getTime(),
  });
  const payments = await db.query(
    `SELECT p.id, i.ref, p.status, p.amount, p.checkout_request_id, p.initiated_at
       FROM payments p JOIN invoices i ON i.id = p.invoice_id`,
  );
  const dead = await db.query(
    `SELECT id, kind, last_error, updated_at FROM outbox WHERE status = 'dead' ORDER BY id`,
  );
  const unprocessed = await db.query(
    `SELECT external_id, received_at FROM inbound_events
      WHERE provider = 'mpesa' AND processed_at IS NULL ORDER BY received_at`,
  );
  const unconfirmed = await db.query(
    `SELECT i.ref, d.recipient, d.purpose, m.created_at
       FROM messages m
       JOIN deliveries d ON d.id::text = m.logical_id::text
       LEFT JOIN invoices i ON i.id = d.invoice_id
      WHERE m.provider_message_id LIKE 'unconfirmed:%'`,
  );
  let reconciliation: DriftFact[] | { error: string };
  try {
    const res = await httpRequest(`${cluster.balancerUrl}/admin/reconciliation`, {
      headers: { Authorization: `Bearer ${secrets.adminKey}` },
    });
    reconciliation =
      res.status === 200
        ? ((res.json as { items: DriftFact[] }).items ?? [])
        : { error: `HTTP ${res.status} ${res.text.slice(0, 200)}` };
  } catch (error) {
    reconciliation = { error: String(error) };
  }
  const allPayments = payments.rows.map(paymentRow);
  const prompted = daraja.pushes.filter((p) => p.outcome === 'prompted');
  return {
    driven: driver.invoices.map((i) => ({
      ref: i.ref ?? `(invoice #${i.n} never created)`,
      amount: i.amount,
      customerMsisdn: i.customerMsisdn,
      merchantMsisdn: i.merchant.msisdn,
      outcome: i.outcome,
    })),
    invoices: invoices.rows.map((r) => ({
      ref: r.ref,
      state: r.state,
      amount: Number(r.amount),
      amountPaid: Number(r.amount_paid),
      ...(r.overpaid ? { overpaid: Number(r.overpaid) } : {}),
    })),
    payments: allPayments,
    pushes: daraja.pushes.map((p) => ({
      seq: p.seq,
      tag: p.tag,
      accountReference: p.accountReference,
      amount: p.amount,
      outcome: p.outcome,
      checkoutRequestId: p.checkoutRequestId,
      receivedAt: p.receivedAt,
      paid: p.paidAt !== undefined,
      answerLost: p.outcome === 'prompted' && (p.withheld === true || p.answerDelivered === false),
      callbackDelivered: p.callbacks.some((c) => c.status === 200),
    })),
    messages: messaging.messages,
    deadOutbox: dead.rows.map((r: any) => ({
      id: String(r.id),
      kind: r.kind,
      lastError: r.last_error,
      diedAt: new Date(r.updated_at).getTime(),
    })),
    reconciliation,
    openPayments: allPayments.filter((p) => ['initiating', 'pending', 'review'].includes(p.status)),
    unprocessedCallbacks: unprocessed.rows.map((r: any) => ({
      externalId: r.external_id,
      receivedAt: new Date(r.received_at).getTime(),
    })),
    unconfirmedSends: unconfirmed.rows.map((r: any) => ({
      ref: r.ref,
      recipient: r.recipient,
      purpose: r.purpose,
      at: new Date(r.created_at).getTime(),
    })),
    faults: chaos.faults,
    endedAt: Date.now(),
    harness: {
      minInvoices: config.invoices,
      minInFlight: config.minInFlight,
      minPushesInFlightAtKill: config.minPushesInFlightAtKill,
      maxWallMs: config.maxWallMs,
      peakInFlight: driver.peakInFlight,
      pushesInFlightAtKill: chaos.pushesInFlightAtKill,
      dbConnectionsCut: chaos.dbConnectionsCut,
      outage500s: daraja.stats.outage500s,
      outageHangs: daraja.stats.outageHangs,
      outagePushes: daraja.pushes.filter(
        (p) => p.outcome === 'refused_outage' || p.outcome === 'hung_unprocessed' || p.withheld,
      ).length,
      callbacksTriple: prompted.filter((p) => p.callbacks.length >= 3).length,
      callbacksDropped: prompted.filter((p) => p.plan === 'dropped').length,
      callbacksBeforeAnswer: daraja.stats.callbacksBeforeAnswer,
      maskedPhones: prompted.filter((p) => p.maskedPhone).length,
      pushesRefusedInvalid: daraja.pushes.filter((p) => p.outcome === 'refused_invalid').length,
      unexpectedExits: [
        ...cluster.unexpectedExits.map((e) => `${e.tag} exited with ${e.code}`),
        ...chaos.notes.filter((n) => n.startsWith('chaos script failed')),
      ],
      wallMs: 0,
    },
  };
}

/** What happened, for the reader of the table (not checked). */
function describeRun(
  daraja: DarajaSimulator,
  messaging: MessagingSimulator,
  driver: Driver,
  cluster: AppCluster,
  chaos: ChaosLog,
  facts: RunFacts,
): string {
  const count = <T>(items: T[], key: (t: T) => string) =>
    items.reduce<Record<string, number>>((acc, t) => {
      acc[key(t)] = (acc[key(t)] ?? 0) + 1;
      return acc;
    }, {});
  const s = daraja.stats;
  const prompted = daraja.pushes.filter((p) => p.outcome === 'prompted');
  const lines = [
    'Run context',
    ...chaos.notes.map((n) => `- ${n}`),
    `- driver: ${JSON.stringify(count(driver.invoices, (i) => i.outcome))}; ` +
      `${driver.invoices.reduce((n, i) => n + i.initiations, 0)} payments started, ` +
      `${driver.invoices.reduce((n, i) => n + i.retaps, 0)} re-taps after FAILED, ` +
      `${driver.invoices.reduce((n, i) => n + i.adopted, 0)} "payment pending" answers; ` +
      `${driver.stats.requests} requests, ${driver.stats.networkErrors} network errors, ${driver.stats.serverErrors} 5xx`,
    `- Daraja: ${s.oauth} OAuth (${s.oauthRefused} refused); ${s.pushes} pushes ${JSON.stringify(count(daraja.pushes, (p) => p.outcome))} by process ${JSON.stringify(count(daraja.pushes, (p) => p.tag))}; ` +
      `callback plans ${JSON.stringify(count(prompted, (p) => p.plan ?? '-'))}; ` +
      `${prompted.filter((p) => p.answerDelivered === false || p.withheld).length} prompted pushes whose answer never reached the app; ` +
      `${s.queries} queries (${s.queryPending} pending, ${s.queryFinal} final, ${s.queryUnknown} unknown id, ${s.queryRefused} refused); ` +
      `${s.callbacksPosted} callbacks posted (${s.callbacksOk} answered 200, ${s.callbacksFailed} failed)`,
    `- messages: ${JSON.stringify(count(messaging.messages, (m) => `${m.channel}:${m.template ?? m.type}`))}; refused ${messaging.refused.length}; ` +
      `sends the app recorded as unconfirmed (started, no answer): ${facts.unconfirmedSends.length}`,
    `- balancer: ${JSON.stringify(Object.fromEntries(cluster.balancer?.stats.byTarget ?? []))}, ` +
      `${cluster.balancer?.stats.failed ?? 0} connections no process took` +
      (cluster.balancer?.stats.failedAt.length
        ? ` (at t+${cluster.balancer.stats.failedAt.map((t) => Math.round((t - driver.invoices[0].startedAt) / 1000)).join(', t+')}s)`
        : ''),
    `- processes: ${cluster.processes.map((p) => `${p.tag} :${p.port}${p.exit ? ` exited ${p.exit.code}` : ''}`).join(', ')}`,
    `- env set for the run: ${Object.entries(RUN_TUNABLES)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  ];
  if (driver.stats.unexpected.length > 0) {
    lines.push(
      '- unexpected API answers:',
      ...driver.stats.unexpected.slice(0, 10).map((u) => `  ${u}`),
    );
  }
  return lines.join('\n');
}
