import { SchedulerRegistry } from '@nestjs/schedule';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AT_PROVIDER } from '../../../src/channels/sms/sms-event-ledger';
import { WHATSAPP_PROVIDER } from '../../../src/channels/whatsapp/whatsapp-webhook.service';
import { Clock } from '../../../src/runtime/clock';
import { inboundOutboxKind } from '../../../src/runtime/inbound-queue';
import { OutboxDispatcher } from '../../../src/runtime/outbox-dispatcher';
import { OutboxHandlers } from '../../../src/runtime/outbox-handlers';
import { RuntimePollers } from '../../../src/runtime/runtime-pollers';
import { createTestApp, type TestApp } from '../../utils/create-app';

/** The outbox kinds that carry recorded webhook events to their consumers (src/inbound/). */
const INBOUND_KINDS = [inboundOutboxKind(WHATSAPP_PROVIDER), inboundOutboxKind(AT_PROVIDER)];
/**
 * The failures an inbound event may have by design: a status or delivery report for a message
 * no row carries (a fuzzed id), which the queue tries again later.
 */
const EXPECTED_INBOUND_ERRORS = ['UnmatchedStatusError', 'UnmatchedReportError'];

/**
 * The tables a rejected request must leave alone. A count catches inserts and deletes; the
 * latest updated_at (or id, received_at, processed count) catches updates of existing rows.
 * Transitions count only accepted ones: an event a machine does not take is recorded as
 * ignored by design (docs/ARCHITECTURE.md §2), and the request that sent it answers 409.
 */
const FINGERPRINT_SQL = `SELECT
  (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '-') FROM invoices) AS invoices,
  (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '-') FROM payments) AS payments,
  (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '-') FROM outbox) AS outbox,
  (SELECT count(*) || '/' || coalesce(max(id), 0) || '/' || count(processed_at) || '/' ||
          coalesce(max(received_at)::text, '-') FROM inbound_events) AS inbound_events,
  (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '-') FROM customers) AS customers,
  (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '-') FROM merchants) AS merchants,
  (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '-') FROM messages) AS messages,
  (SELECT count(*) || '/' || coalesce(max(id), 0) FROM transitions WHERE accepted) AS transitions,
  (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '-') FROM deliveries) AS deliveries,
  (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '-') FROM timers) AS timers,
  (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '-') FROM conversations) AS conversations`;

export type Fingerprint = Record<string, string>;

export interface FuzzRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface FuzzResponse {
  status: number;
  text: string;
  body: unknown;
}

export interface FuzzApp {
  t: TestApp;
  db: DataSource;
  /**
   * Runs the work earlier requests queued for after their answer (the inbound events of the
   * webhooks, on the outbox) and waits for it; paused or not, only those kinds.
   */
  settle(): Promise<void>;
  /** Inbound events of this app whose handling failed other than by design (one line each). */
  inboundFailures(): Promise<string[]>;
  fingerprint(): Promise<Fingerprint>;
  /** Stops the pollers, the timer firer and the scheduled jobs: nothing writes on its own. */
  pauseBackgroundWork(): Promise<void>;
  /** Until the fingerprint holds still (simulator webhooks of the seeding have landed). */
  waitForQuiet(timeoutMs?: number): Promise<void>;
  send(req: FuzzRequest): Promise<FuzzResponse>;
  /**
   * Sends one generated request and checks the properties every endpoint shares: never a 5xx,
   * and a rejected (4xx) request writes nothing. Returns the response for endpoint checks.
   */
  check(req: FuzzRequest): Promise<FuzzResponse>;
  close(): Promise<void>;
}

let ipCounter = 0;
/** A fresh client address per request (trusted from loopback), so rate limits do not answer. */
function nextClientIp(): string {
  ipCounter += 1;
  return `198.18.${(ipCounter >> 8) & 0xff}.${ipCounter & 0xff}`;
}

const describeRequest = (req: FuzzRequest): string => {
  const body =
    req.body === undefined
      ? ''
      : typeof req.body === 'string'
        ? req.body
        : `<${req.body.length} bytes> ${req.body.toString('utf8')}`;
  return `${req.method} ${req.path} ${JSON.stringify(req.headers ?? {})} ${JSON.stringify(
    body.length > 600 ? `${body.slice(0, 600)}… (${body.length} chars)` : body,
  )}`;
};

export async function startFuzzApp(env: Record<string, string> = {}): Promise<FuzzApp> {
  // warn: the 'Unhandled error' lines (with the stack of a 5xx) without a line per request.
  const t = await createTestApp({ LOG_LEVEL: 'warn', ...env }, { full: true });
  const db = t.app.get(DataSource);
  const pollers = t.app.get(RuntimePollers, { strict: false });
  // The webhooks' consumers only: replies, sends and pushes stay queued once paused.
  const inbound = new OutboxDispatcher(
    db,
    t.app.get(OutboxHandlers, { strict: false }),
    t.app.get(Clock, { strict: false }),
    undefined,
    { kinds: INBOUND_KINDS },
  );
  const [{ watermark }] = (await db.query(
    `SELECT coalesce(max(id), 0)::bigint::text AS watermark FROM outbox`,
  )) as { watermark: string }[];
  let paused = false;

  const settle = async (): Promise<void> => {
    const until = Date.now() + 60_000;
    for (;;) {
      await pollers.dispatcher.drainInProgress();
      await inbound.drain();
      const [{ open }] = (await db.query(
        `SELECT count(*)::int AS open FROM outbox
          WHERE kind = ANY($1)
            AND (status = 'running' OR (status = 'pending' AND next_attempt_at <= now()))`,
        [INBOUND_KINDS],
      )) as { open: number }[];
      if (open === 0) break;
      if (Date.now() > until) throw new Error(`${open} inbound events still running or due`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Paused means no retries by themselves (the pollers are stopped): an event whose run
    // failed must not come due in the middle of a later request's check.
    if (paused)
      await db.query(
        `UPDATE outbox SET next_attempt_at = now() + interval '1 day'
          WHERE kind = ANY($1) AND status = 'pending' AND attempts > 0
            AND next_attempt_at < now() + interval '1 hour'`,
        [INBOUND_KINDS],
      );
  };

  const inboundFailures = async (): Promise<string[]> => {
    const rows = (await db.query(
      `SELECT id, kind, status, attempts, last_error FROM outbox
        WHERE kind = ANY($1) AND id > $2 AND last_error IS NOT NULL
          AND NOT (last_error = ANY($3))
        ORDER BY id`,
      [INBOUND_KINDS, watermark, EXPECTED_INBOUND_ERRORS],
    )) as { id: string; kind: string; status: string; attempts: number; last_error: string }[];
    return rows.map(
      (r) => `outbox ${r.id} (${r.kind}, ${r.status} after ${r.attempts} run(s)): ${r.last_error}`,
    );
  };

  const fingerprint = async (): Promise<Fingerprint> => {
    const [row] = (await db.query(FINGERPRINT_SQL)) as Fingerprint[];
    return { ...row };
  };

  const send = async (req: FuzzRequest): Promise<FuzzResponse> => {
    const agent = request(t.url);
    let call = req.method === 'GET' ? agent.get(req.path) : agent.post(req.path);
    call = call
      .set('X-Forwarded-For', nextClientIp())
      .set(req.headers ?? {})
      .timeout({ response: 20_000, deadline: 30_000 });
    if (req.body !== undefined) call = call.send(req.body);
    const res = await call.ok(() => true);
    return { status: res.status, text: res.text ?? '', body: res.body as unknown };
  };

  const serverErrors = (): string =>
    t.logs.lines
      .filter((line) => /"level":(50|60)/.test(line))
      .slice(-3)
      .map((line) => {
        try {
          const record = JSON.parse(line) as { msg?: string; err?: { stack?: string } };
          return `${record.msg ?? ''}\n${record.err?.stack ?? line}`;
        } catch {
          return line;
        }
      })
      .join('\n---\n');

  const check = async (req: FuzzRequest): Promise<FuzzResponse> => {
    t.logs.lines.length = 0;
    await settle();
    const before = await fingerprint();
    const res = await send(req);
    if (res.status >= 500) {
      await settle();
      throw new Error(
        `${res.status} for ${describeRequest(req)}\nresponse: ${res.text.slice(0, 500)}\n` +
          `server log:\n${serverErrors() || '(no error logged)'}`,
      );
    }
    if (res.status >= 400) {
      await settle();
      const after = await fingerprint();
      const changed = Object.keys(before).filter((table) => before[table] !== after[table]);
      if (changed.length > 0) {
        throw new Error(
          `${res.status} but rows changed in ${changed
            .map((table) => `${table} (${before[table]} -> ${after[table]})`)
            .join(', ')} for ${describeRequest(req)}\nresponse: ${res.text.slice(0, 300)}`,
        );
      }
    }
    return res;
  };

  const pauseBackgroundWork = async (): Promise<void> => {
    const scheduler = t.app.get(SchedulerRegistry);
    for (const name of scheduler.getIntervals()) scheduler.deleteInterval(name);
    for (const job of scheduler.getCronJobs().values()) void job.stop();
    await pollers.onApplicationShutdown();
    paused = true;
    await settle();
  };

  const waitForQuiet = async (timeoutMs = 15_000): Promise<void> => {
    const until = Date.now() + timeoutMs;
    let last = JSON.stringify(await fingerprint());
    let still = 0;
    // Two seconds without a change: the simulators' status chains take about one.
    while (still < 5) {
      if (Date.now() > until) throw new Error('the app did not go quiet after seeding');
      await new Promise((resolve) => setTimeout(resolve, 400));
      await settle();
      const now = JSON.stringify(await fingerprint());
      still = now === last ? still + 1 : 0;
      last = now;
    }
  };

  return {
    t,
    db,
    settle,
    inboundFailures,
    fingerprint,
    pauseBackgroundWork,
    waitForQuiet,
    send,
    check,
    close: () => t.close(),
  };
}

/** The app answers its health check (it survived the run). */
export async function expectHealthy(app: FuzzApp): Promise<void> {
  const res = await app.send({ method: 'GET', path: '/healthz' });
  expect(res.status).toBe(200);
}
