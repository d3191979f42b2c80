import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { InvoicesModule } from '../../src/invoices/invoices.module';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { MachineRunner } from '../../src/runtime/machine-runner';
import { createTestApp, type TestApp } from '../utils/create-app';

/** A fresh Safaricom number per merchant/customer: merchants' WhatsApp numbers are unique. */
const newPhone = (): string => `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

const validBody = (over: Record<string, unknown> = {}) => ({
  customerPhone: '0712345678',
  customerName: 'Jane Wanjiku',
  amount: 1500,
  description: 'Logo design',
  ...over,
});

describe('invoices API', () => {
  let t: TestApp;
  let db: DataSource;
  let merchantId: string;
  let apiKey: string;
  let otherKey: string;

  const auth = (key = apiKey) => ({ Authorization: `Bearer ${key}` });
  const invoiceCount = async (id = merchantId) =>
    Number(
      (await db.query(`SELECT count(*) AS n FROM invoices WHERE merchant_id = $1`, [id]))[0].n,
    );
  const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    request(t.url)
      .post('/invoices')
      .set({ ...auth(), ...headers })
      .send(body);

  beforeAll(async () => {
    t = await createTestApp({}, { imports: [InvoicesModule] });
    db = t.app.get(DataSource);
    const merchants = t.app.get(MerchantsService);
    const mine = await merchants.create(db.manager, {
      displayName: 'Mama Mboga',
      whatsappPhone: newPhone(),
    });
    const other = await merchants.create(db.manager, {
      displayName: 'Other Shop',
      whatsappPhone: newPhone(),
    });
    merchantId = mine.merchant.id;
    apiKey = mine.apiKey;
    otherKey = other.apiKey;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates an invoice: 201 with its public shape, a READY machine and a queued delivery', async () => {
    const res = await create(validBody({ dueDate: '2099-01-31' })).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ref: expect.stringMatching(/^INV-[A-HJ-NP-Z2-9]{6}$/),
      status: 'READY',
      amount: 1500,
      amountPaid: 0,
      balance: 1500,
      currency: 'KES',
      description: 'Logo design',
      customerPhone: '+254712345678',
      customerName: 'Jane Wanjiku',
      dueDate: '2099-01-31',
      payUrl: expect.stringMatching(
        new RegExp(`^${t.config.publicBaseUrl}/pay/[A-Za-z0-9_-]{43}$`),
      ),
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    const id = res.body.id as string;
    const transitions = await db.query(
      `SELECT from_state, to_state, event_type, accepted, version FROM transitions
        WHERE machine_kind = 'invoice' AND entity_id = $1`,
      [id],
    );
    expect(transitions).toEqual([
      {
        from_state: null,
        to_state: 'READY',
        event_type: 'xstate.init',
        accepted: true,
        version: 0,
      },
    ]);
    const outbox = await db.query(
      `SELECT kind, payload, idempotency_key FROM outbox WHERE machine_kind = 'invoice' AND entity_id = $1`,
      [id],
    );
    expect(outbox).toEqual([
      {
        kind: 'invoice.deliver',
        payload: { invoiceId: id },
        idempotency_key: `invoice:${id}:invoice.deliver:deliver:1`,
      },
    ]);
    const [row] = await db.query(
      `SELECT state, version, machine_version, snapshot->>'value' AS value FROM invoices WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ state: 'READY', version: 0, machine_version: 1, value: 'READY' });

    const fetched = await request(t.url).get(`/invoices/${res.body.ref}`).set(auth()).expect(200);
    expect(fetched.body).toEqual(res.body);
  });

  it('saves the customer once per merchant and keeps the first name given', async () => {
    const phone = newPhone();
    await create(validBody({ customerPhone: phone, customerName: undefined })).expect(201);
    await create(validBody({ customerPhone: phone.replace('+254', '0'), customerName: 'Achieng' }));
    await create(validBody({ customerPhone: phone, customerName: 'Someone Else' })).expect(201);
    const customers = await db.query(
      `SELECT name FROM customers WHERE merchant_id = $1 AND phone = $2`,
      [merchantId, phone],
    );
    expect(customers).toEqual([{ name: 'Achieng' }]);
  });

  describe('Idempotency-Key', () => {
    it('collapses concurrent duplicates into one invoice, answered 201 each time', async () => {
      const key = randomUUID();
      const before = await invoiceCount();
      const responses = await Promise.all(
        Array.from({ length: 4 }, () => create(validBody(), { 'Idempotency-Key': key })),
      );
      expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(await invoiceCount()).toBe(before + 1);
      // Later, sequential, with the phone spelt another way: still the same request.
      const again = await create(validBody({ customerPhone: '+254 712 345 678' }), {
        'Idempotency-Key': key,
      }).expect(201);
      expect(again.body.id).toBe(responses[0].body.id);
    });

    it('refuses the same key with a different body (422) and writes nothing', async () => {
      const key = randomUUID();
      await create(validBody(), { 'Idempotency-Key': key }).expect(201);
      const before = await invoiceCount();
      const res = await create(validBody({ amount: 1600 }), { 'Idempotency-Key': key }).expect(422);
      expect(res.body).toMatchObject({ statusCode: 422, code: 'idempotency_key_reused' });
      expect(await invoiceCount()).toBe(before);
    });

    it('scopes keys per merchant', async () => {
      const key = randomUUID();
      const mine = await create(validBody(), { 'Idempotency-Key': key }).expect(201);
      const theirs = await request(t.url)
        .post('/invoices')
        .set({ ...auth(otherKey), 'Idempotency-Key': key })
        .send(validBody({ amount: 99 }))
        .expect(201);
      expect(theirs.body.id).not.toBe(mine.body.id);
    });

    it('refuses an over-long key', async () => {
      const before = await invoiceCount();
      const res = await create(validBody(), { 'Idempotency-Key': 'k'.repeat(201) }).expect(400);
      expect(res.body.message).toMatch(/Idempotency-Key/);
      expect(await invoiceCount()).toBe(before);
    });
  });

  describe('bad input: 400 naming the field, nothing written', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['amount 0', validBody({ amount: 0 }), 'amount'],
      ['amount -5', validBody({ amount: -5 }), 'amount'],
      ['amount 1.5', validBody({ amount: 1.5 }), 'amount'],
      ['amount "abc"', validBody({ amount: 'abc' }), 'amount'],
      ['amount 250001', validBody({ amount: 250001 }), 'amount'],
      ['amount missing', validBody({ amount: undefined }), 'amount'],
      ['phone 12345', validBody({ customerPhone: '12345' }), 'customerPhone'],
      ['phone +255712345678', validBody({ customerPhone: '+255712345678' }), 'customerPhone'],
      ['phone empty', validBody({ customerPhone: '' }), 'customerPhone'],
      ['phone landline', validBody({ customerPhone: '020 2222222' }), 'customerPhone'],
      ['description too short', validBody({ description: 'ab' }), 'description'],
      ['description too long', validBody({ description: 'x'.repeat(121) }), 'description'],
      ['description blank', validBody({ description: '     ' }), 'description'],
      ['customerName too long', validBody({ customerName: 'n'.repeat(101) }), 'customerName'],
      ['dueDate not a date', validBody({ dueDate: '31/12/2099' }), 'dueDate'],
      ['dueDate impossible', validBody({ dueDate: '2099-02-30' }), 'dueDate'],
      ['dueDate in the past', validBody({ dueDate: '2020-01-01' }), 'dueDate'],
      ['unknown field', validBody({ discount: 10 }), 'discount'],
    ];

    it.each(cases)('%s', async (_name, body, field) => {
      const before = await invoiceCount();
      const res = await create(body).expect(400);
      const messages = ([] as string[]).concat(res.body.message);
      expect(messages.some((m) => m.includes(field))).toBe(true);
      expect(await invoiceCount()).toBe(before);
    });

    it('explains what is wrong with a phone number', async () => {
      const foreign = await create(validBody({ customerPhone: '+255712345678' })).expect(400);
      expect(foreign.body.message).toEqual([expect.stringMatching(/Kenyan \(\+254\)/)]);
      const empty = await create(validBody({ customerPhone: '' })).expect(400);
      expect(empty.body.message).toEqual([expect.stringMatching(/is required.*0712345678/)]);
    });
  });

  describe('reading', () => {
    it('answers 404 for an unknown ref and for another merchant’s ref', async () => {
      const missing = await request(t.url).get('/invoices/INV-ZZZZZZ').set(auth()).expect(404);
      expect(missing.body).toMatchObject({ code: 'not_found' });
      await request(t.url).get('/invoices/not-a-ref').set(auth()).expect(404);
      const mine = await create(validBody()).expect(201);
      const theirs = await request(t.url)
        .get(`/invoices/${mine.body.ref}`)
        .set(auth(otherKey))
        .expect(404);
      expect(theirs.body).toMatchObject({ code: 'not_found', message: 'Invoice not found' });
      const list = await request(t.url).get('/invoices?limit=100').set(auth(otherKey)).expect(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(mine.body.id);
    });

    it('pages through 25 invoices 10 at a time without duplicates or gaps', async () => {
      const { merchant, apiKey: key } = await t.app
        .get(MerchantsService)
        .create(db.manager, { displayName: 'Pager', whatsappPhone: newPhone() });
      const created: string[] = [];
      for (let i = 0; i < 25; i++) {
        const res = await request(t.url)
          .post('/invoices')
          .set(auth(key))
          .send(validBody({ amount: 100 + i }))
          .expect(201);
        created.push(res.body.id);
      }
      // Same timestamp for several rows: the id breaks ties in the keyset.
      await db.query(
        `UPDATE invoices SET created_at = date_trunc('second', created_at) WHERE merchant_id = $1`,
        [merchant.id],
      );
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(t.url)
          .get('/invoices')
          .query({ limit: 10, ...(cursor ? { cursor } : {}) })
          .set(auth(key))
          .expect(200);
        sizes.push(res.body.items.length);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(sizes).toEqual([10, 10, 5]);
      expect(new Set(seen).size).toBe(25);
      expect([...seen].sort()).toEqual([...created].sort());
      const expectedOrder: { id: string }[] = await db.query(
        `SELECT id FROM invoices WHERE merchant_id = $1 ORDER BY created_at DESC, id DESC`,
        [merchant.id],
      );
      expect(seen).toEqual(expectedOrder.map((r) => r.id));
    });

    it('filters by status and validates the query', async () => {
      const ready = await request(t.url).get('/invoices?status=ready').set(auth()).expect(200);
      expect(ready.body.items.length).toBeGreaterThan(0);
      expect(ready.body.items.every((i: { status: string }) => i.status === 'READY')).toBe(true);
      const paid = await request(t.url).get('/invoices?status=PAID').set(auth()).expect(200);
      expect(paid.body).toEqual({ items: [], nextCursor: null });
      const first = await request(t.url).get('/invoices').set(auth()).expect(200);
      expect(first.body.items.length).toBeLessThanOrEqual(20);

      for (const query of ['status=LOST', 'limit=0', 'limit=101', 'limit=abc', 'cursor=garbage']) {
        const res = await request(t.url).get(`/invoices?${query}`).set(auth()).expect(400);
        const messages = ([] as string[]).concat(res.body.message).join(' ');
        expect(messages).toMatch(new RegExp(query.split('=')[0]));
      }
    });
  });

  it('runs the invoice machine on the row: amount_paid and status follow payments', async () => {
    const runner = t.app.get(MachineRunner);
    const created = await create(validBody({ amount: 1000 })).expect(201);
    const id = created.body.id as string;
    const send = (event: { type: string } & Record<string, unknown>) =>
      runner.send('invoice', id, event, { source: 'test' });
    expect(
      await send({ type: 'PAYMENT_REQUESTED', paymentId: 'pay-1', amount: 400 }),
    ).toMatchObject({ accepted: true, state: 'PAYMENT_INIT' });
    expect(
      await send({ type: 'PAYMENT_CONFIRMED', paymentId: 'pay-1', amount: 400, receipt: 'R1' }),
    ).toMatchObject({ accepted: true, state: 'PARTIALLY_PAID' });
    const partly = await request(t.url)
      .get(`/invoices/${created.body.ref}`)
      .set(auth())
      .expect(200);
    expect(partly.body).toMatchObject({ status: 'PARTIALLY_PAID', amountPaid: 400, balance: 600 });
    expect(await send({ type: 'CANCEL', by: 'test' })).toMatchObject({ accepted: true });
    const kinds = await db.query(
      `SELECT kind, idempotency_key FROM outbox WHERE machine_kind = 'invoice' AND entity_id = $1 ORDER BY id`,
      [id],
    );
    expect(kinds.map((r: { kind: string }) => r.kind)).toEqual([
      'invoice.deliver',
      'mpesa.stk_push',
      'invoice.receipt',
      'merchant.notify',
      'invoice.cancelled_notice',
    ]);
    const [row] = await db.query(`SELECT state, amount_paid, version FROM invoices WHERE id = $1`, [
      id,
    ]);
    expect(row).toEqual({ state: 'CANCELLED', amount_paid: 400, version: 3 });
    expect(
      await send({ type: 'PAYMENT_REQUESTED', paymentId: 'pay-2', amount: 600 }),
    ).toMatchObject({ accepted: false, reason: 'not_accepted' });
  });

  it('documents the routes in OpenAPI', async () => {
    const res = await request(t.url).get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/invoices', '/invoices/{ref}']),
    );
    expect(res.body.components.schemas.CreateInvoiceDto.properties.amount).toMatchObject({
      example: 1500,
      minimum: 1,
      maximum: 250000,
    });
  });

  it('never logs customer phone numbers, names or API keys', () => {
    expect(t.logs.text).toMatch(/invoice INV-[A-Z0-9]{6} created/);
    expect(t.logs.text).not.toMatch(/712345678|Wanjiku|Achieng/);
    expect(t.logs.text).not.toContain(apiKey);
    expect(t.logs.text).not.toContain(otherKey);
  });

  describe('authentication', () => {
    it.each([
      ['missing', {}],
      ['wrong key', { Authorization: `Bearer iq_live_${'A'.repeat(43)}` }],
      ['not a key', { Authorization: 'Bearer hunter2' }],
      ['wrong scheme', { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ])('%s → 401 and nothing written', async (_name, headers) => {
      const before = await invoiceCount();
      const post = await request(t.url)
        .post('/invoices')
        .set(headers)
        .send(validBody())
        .expect(401);
      expect(post.body).toMatchObject({
        statusCode: 401,
        code: 'unauthorized',
        message: 'Missing or invalid API key',
      });
      await request(t.url).get('/invoices').set(headers).expect(401);
      await request(t.url).get('/invoices/INV-ZZZZZZ').set(headers).expect(401);
      expect(await invoiceCount()).toBe(before);
    });

    it('stores only a hash of the key, and a rotated key replaces the old one', async () => {
      const merchants = t.app.get(MerchantsService);
      const { merchant, apiKey: key } = await merchants.create(db.manager, {
        displayName: 'Rotator',
        whatsappPhone: newPhone(),
      });
      const [row] = await db.query(
        `SELECT api_key_hash, api_key_prefix FROM merchants WHERE id = $1`,
        [merchant.id],
      );
      expect(row.api_key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.api_key_hash).not.toContain(key);
      expect(key.startsWith(row.api_key_prefix)).toBe(true);
      await request(t.url).get('/invoices').set(auth(key)).expect(200);
      const rotated = await merchants.rotateApiKey(db.manager, merchant.id);
      await request(t.url).get('/invoices').set(auth(key)).expect(401);
      await request(t.url).get('/invoices').set(auth(rotated.apiKey)).expect(200);
    });
  });
});
