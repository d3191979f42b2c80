import { randomInt } from 'node:crypto';
import { MerchantsService } from '../../../src/merchants/merchants.service';
import type { FuzzApp } from './fuzz-app';
import type { KnownIds } from './provider-payloads';

export interface SeededMerchant {
  id: string;
  apiKey: string;
  /** E.164, e.g. +254712345678 */
  phone: string;
}

export interface SeededInvoice {
  id: string;
  ref: string;
  payToken: string;
  customerPhone: string;
}

export interface Seeded {
  merchant: SeededMerchant;
  other: SeededMerchant;
  invoices: SeededInvoice[];
  otherInvoices: SeededInvoice[];
  paymentIds: string[];
  known: KnownIds;
}

/** Merchants' WhatsApp numbers are unique, and several spec files share the database. */
const freshPhone = (): string => `+2547${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  explain: () => Promise<unknown>,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until)
      throw new Error(
        `seeding: timed out waiting for ${what}: ${JSON.stringify(value)}\n` +
          JSON.stringify(await explain(), null, 1),
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Real data for the generators to aim at: two merchants, invoices delivered through the
 * simulators, and STK pushes left waiting (the Daraja simulator in interactive mode), so that
 * callbacks, statuses and pay requests reach the paths that match, not only the refusals.
 * Ends with the background work paused and the app quiet.
 */
export async function seed(app: FuzzApp): Promise<Seeded> {
  const merchants = app.t.app.get(MerchantsService);
  const ctl = async (path: string, body: object) => {
    const res = await app.send({
      method: 'POST',
      path: `/sandbox/daraja/control/${path}`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`seeding: daraja control ${path}: ${res.status}`);
  };
  await ctl('settings', { mode: 'interactive', promptTimeoutMs: 10 * 60_000 });

  const make = async (name: string): Promise<SeededMerchant> => {
    const phone = freshPhone();
    const created = await merchants.create(app.db.manager, {
      displayName: name,
      whatsappPhone: phone,
    });
    return { id: created.merchant.id, apiKey: created.apiKey, phone };
  };
  const merchant = await make('Fuzz Duka');
  const other = await make('Other Duka');

  const createInvoice = async (owner: SeededMerchant, amount: number): Promise<SeededInvoice> => {
    const customerPhone = freshPhone();
    const res = await app.send({
      method: 'POST',
      path: '/invoices',
      headers: { Authorization: `Bearer ${owner.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        customerPhone,
        customerName: 'Jane Wanjiku',
        amount,
        description: 'Fuzz seed',
      }),
    });
    if (res.status !== 201) throw new Error(`seeding: invoice ${res.status} ${res.text}`);
    const body = res.body as { id: string; ref: string; payUrl: string };
    return {
      id: body.id,
      ref: body.ref,
      payToken: body.payUrl.split('/').pop() ?? '',
      customerPhone,
    };
  };
  const invoices: SeededInvoice[] = [];
  for (const amount of [1500, 700, 250_000, 1, 4200, 999])
    invoices.push(await createInvoice(merchant, amount));
  const otherInvoices = [await createInvoice(other, 800)];

  /** What the queue did with the seeding's work, for a seeding that times out. */
  const outboxOf = (entityIds: string[]) =>
    app.db.query(
      `SELECT kind, status, attempts, last_error FROM outbox
        WHERE entity_id = ANY($1) OR created_at > now() - interval '1 minute'
        ORDER BY id DESC LIMIT 30`,
      [entityIds],
    );

  const paymentIds: string[] = [];
  for (const invoice of invoices.slice(0, 3)) {
    const res = await app.send({
      method: 'POST',
      path: '/payments/stk/initiate',
      headers: { Authorization: `Bearer ${merchant.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ invoiceRef: invoice.ref }),
    });
    if (res.status !== 202) throw new Error(`seeding: initiate ${res.status} ${res.text}`);
    paymentIds.push((res.body as { paymentId: string }).paymentId);
  }
  const pending = await eventually(
    () =>
      app.db.query<{ checkout_request_id: string }[]>(
        `SELECT checkout_request_id FROM payments WHERE id = ANY($1) AND status = 'pending'`,
        [paymentIds],
      ),
    (rows) => rows.length === paymentIds.length,
    'the STK pushes to be pending',
    () => outboxOf(paymentIds),
  );
  const sent = await eventually(
    () =>
      app.db.query<{ channel: string; provider_message_id: string }[]>(
        `SELECT channel, provider_message_id FROM messages
          WHERE direction = 'outbound' AND provider_message_id IS NOT NULL AND invoice_id = ANY($1)`,
        [[...invoices, ...otherInvoices].map((i) => i.id)],
      ),
    (rows) => rows.length >= invoices.length,
    'the invoices to be delivered',
    () => outboxOf([...invoices, ...otherInvoices].map((i) => i.id)),
  );

  // The simulator forgets the open prompts: none times out into a callback in the middle of a
  // long run (its longest prompt timeout is 10 minutes). The pushes stay pending on our side.
  await ctl('reset', {});
  await app.pauseBackgroundWork();
  await app.waitForQuiet();

  const digits = (phone: string) => phone.replace(/^\+/, '');
  return {
    merchant,
    other,
    invoices,
    otherInvoices,
    paymentIds,
    known: {
      waIds: [merchant.phone, other.phone, ...invoices.map((i) => i.customerPhone)].map(digits),
      wamids: sent.filter((m) => m.channel === 'whatsapp').map((m) => m.provider_message_id),
      smsIds: sent.filter((m) => m.channel === 'sms').map((m) => m.provider_message_id),
      checkoutIds: pending.map((p) => p.checkout_request_id),
      refs: [...invoices, ...otherInvoices].map((i) => i.ref),
    },
  };
}

/**
 * Sets aside the queued work of an app that is about to close, so the next app's pollers do
 * not deliver it during their first seconds (they are paused only after start).
 */
export async function setAsideQueuedWork(app: FuzzApp): Promise<void> {
  await app.db.query(
    `UPDATE outbox SET status = 'dead', last_error = 'set aside by the fuzz run'
      WHERE status IN ('pending', 'running')`,
  );
  await app.db.query(
    `UPDATE timers SET status = 'cancelled', last_error = 'set aside by the fuzz run'
      WHERE status IN ('pending', 'firing')`,
  );
}
