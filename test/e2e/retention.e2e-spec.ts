import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DataSource as TypeOrmDataSource } from 'typeorm';
import { ManualClock } from '../../src/runtime/clock';
import { RetentionModule } from '../../src/retention/retention.module';
import { RetentionService } from '../../src/retention/retention.service';
import { createTestApp, type TestApp } from '../utils/create-app';

describe('data retention', () => {
  let t: TestApp;
  let db: DataSource;
  const clock = new ManualClock('2026-01-15T00:00:00Z');
  const ids: Record<string, string> = {};

  const exists = async (table: string, id: string) =>
    ((await db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])) as unknown[]).length === 1;
  const phoneOf = async (invoiceId: string) =>
    (
      (await db.query(`SELECT customer_phone FROM invoices WHERE id = $1`, [invoiceId])) as {
        customer_phone: string;
      }[]
    )[0]!.customer_phone;

  beforeAll(async () => {
    t = await createTestApp({}, { clock, imports: [RetentionModule] });
    db = t.app.get(TypeOrmDataSource);
    const phone = `+2547${String(Date.now()).slice(-8)}`;
    const [merchant] = await db.query(
      `INSERT INTO merchants (display_name, whatsapp_phone) VALUES ('Retention Shop', $1) RETURNING id`,
      [`+2541${String(Date.now()).slice(-8)}`],
    );
    const [customer] = await db.query(
      `INSERT INTO customers (merchant_id, phone, name) VALUES ($1, $2, 'Wanjiku') RETURNING id`,
      [merchant.id, phone],
    );
    const invoice = async (name: string, state: string, closedAt: string | null) => {
      const [row] = await db.query(
        `INSERT INTO invoices (ref, merchant_id, customer_id, customer_phone, amount, description, pay_token, state, closed_at, created_at)
         VALUES ($1, $2, $3, $4, 1000, 'Retention test', $5, $6, $7, '2025-01-01') RETURNING id`,
        [
          `INV-R${randomUUID().slice(0, 8).toUpperCase()}`,
          merchant.id,
          customer.id,
          phone,
          randomUUID(),
          state,
          closedAt,
        ],
      );
      ids[name] = row.id;
    };
    await invoice('paidLongAgo', 'PAID', '2025-06-01T00:00:00Z');
    await invoice('cancelledLongAgo', 'CANCELLED', '2025-05-01T00:00:00Z');
    await invoice('paidRecently', 'PAID', '2025-12-01T00:00:00Z');
    await invoice('stillOpen', 'SENT', null);
    const [payment] = await db.query(
      `INSERT INTO payments (invoice_id, attempt, phone, amount, status, initiated_at, created_at)
       VALUES ($1, 1, $2, 1000, 'succeeded', '2025-05-31', '2025-05-31') RETURNING id`,
      [ids.paidLongAgo, phone],
    );
    ids.payment = payment.id;
    const message = async (name: string, at: string) => {
      const [row] = await db.query(
        `INSERT INTO messages (direction, channel, kind, recipient, created_at, queued_at) VALUES ('outbound', 'sms', 'sms', $1, $2, $2) RETURNING id`,
        [phone, at],
      );
      ids[name] = row.id;
    };
    await message('oldMessage', '2025-10-01T00:00:00Z');
    const delivery = async (name: string, state: string, at: string) => {
      const [row] = await db.query(
        `INSERT INTO deliveries (idempotency_key, purpose, recipient, channel_policy, payload, state, updated_at, created_at)
         VALUES ($4, 'invoice', $1, 'auto', '{"content":{"type":"text","body":"Invoice for Wanjiku"}}', $2, $3, $3) RETURNING id`,
        [phone, state, at, randomUUID()],
      );
      ids[name] = row.id;
    };
    await delivery('oldDelivered', 'DELIVERED', '2025-10-01T00:00:00Z');
    await delivery('oldInFlight', 'WAITING', '2025-10-01T00:00:00Z');
    await delivery('newDelivered', 'SMS_SENT', '2025-11-01T00:00:00Z');
    await message('newMessage', '2025-11-01T00:00:00Z');
    const event = async (name: string, at: string) => {
      const [row] = await db.query(
        `INSERT INTO inbound_events (provider, external_id, received_at) VALUES ('test', $1, $2) RETURNING id`,
        [randomUUID(), at],
      );
      ids[name] = row.id;
    };
    await event('oldEvent', '2025-12-01T00:00:00Z');
    await event('newEvent', '2026-01-01T00:00:00Z');
    const conversation = async (name: string, state: string, at: string) => {
      const [row] = await db.query(
        `INSERT INTO conversations (channel, peer_phone, state, updated_at) VALUES ('sms', $1, $2, $3) RETURNING id`,
        [`+2547${randomUUID().replace(/\D/g, '').slice(0, 8).padEnd(8, '0')}`, state, at],
      );
      ids[name] = row.id;
    };
    await conversation('idleOld', 'IDLE', '2025-12-01T00:00:00Z');
    await conversation('busyOld', 'COLLECT.amount', '2025-12-01T00:00:00Z');
    await conversation('idleRecent', 'IDLE', '2026-01-10T00:00:00Z');
  });
  afterAll(() => t.close());

  it('reports in a dry run and changes nothing', async () => {
    const report = await t.app.get(RetentionService).run({ dryRun: true });
    expect(report).toMatchObject({
      dryRun: true,
      cutoffs: { messages: '2025-10-17T00:00:00.000Z', invoicePii: '2025-07-19T00:00:00.000Z' },
    });
    expect(report.messagesDeleted).toBeGreaterThanOrEqual(1);
    expect(report.inboundEventsDeleted).toBeGreaterThanOrEqual(1);
    expect(report.conversationsDeleted).toBeGreaterThanOrEqual(1);
    expect(report.invoicesMasked).toBeGreaterThanOrEqual(2);
    expect(await exists('messages', ids.oldMessage!)).toBe(true);
    expect(await phoneOf(ids.paidLongAgo!)).not.toContain('*');
  });

  it('deletes and masks exactly what the policy says, nothing else, and is idempotent', async () => {
    await t.app.get(RetentionService).run({ dryRun: false });

    expect(await exists('messages', ids.oldMessage!)).toBe(false);
    expect(await exists('messages', ids.newMessage!)).toBe(true);
    expect(await exists('deliveries', ids.oldDelivered!)).toBe(false);
    expect(await exists('deliveries', ids.oldInFlight!)).toBe(true);
    expect(await exists('deliveries', ids.newDelivered!)).toBe(true);
    expect(await exists('inbound_events', ids.oldEvent!)).toBe(false);
    expect(await exists('inbound_events', ids.newEvent!)).toBe(true);
    expect(await exists('conversations', ids.idleOld!)).toBe(false);
    expect(await exists('conversations', ids.busyOld!)).toBe(true);
    expect(await exists('conversations', ids.idleRecent!)).toBe(true);

    expect(await phoneOf(ids.paidLongAgo!)).toMatch(/^\+2547\*{4}\d{3}$/);
    expect(await phoneOf(ids.cancelledLongAgo!)).toMatch(/^\+2547\*{4}\d{3}$/);
    expect(await phoneOf(ids.paidRecently!)).not.toContain('*');
    expect(await phoneOf(ids.stillOpen!)).not.toContain('*');
    // Payments are kept whole for 7 years (tax).
    const [payment] = await db.query(`SELECT phone, amount FROM payments WHERE id = $1`, [
      ids.payment,
    ]);
    expect(payment.phone).not.toContain('*');

    const again = await t.app.get(RetentionService).run({ dryRun: false });
    expect(again).toMatchObject({
      messagesDeleted: 0,
      deliveriesDeleted: 0,
      inboundEventsDeleted: 0,
      conversationsDeleted: 0,
      invoicesMasked: 0,
    });
  });
});
