import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AdminModule } from '../../src/admin/admin.module';
import { ReportsModule } from '../../src/reports/reports.module';
import { createTestApp, type TestApp } from '../utils/create-app';

/** RFC 4180 reader, strict enough to catch a wrongly escaped cell. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else if (ch === '"' || ch === '\n' || ch === '\r') {
      throw new Error(`unescaped ${JSON.stringify(ch)} at ${i}`);
    } else cell += ch;
  }
  if (cell !== '' || row.length) throw new Error('last line does not end with CRLF');
  return rows;
}

const HEADER = [
  'ref',
  'merchant_id',
  'merchant',
  'state',
  'amount',
  'amount_paid',
  'balance',
  'refund_due',
  'created_at',
  'sent_at',
  'paid_at',
  'customer_name',
  'customer_phone',
];

describe('GET /admin/invoices.csv', () => {
  let t: TestApp;
  let db: Client;
  let merchantId: string;
  let bulkMerchantId: string;
  let adminKey: string;
  const tag = randomBytes(4).toString('hex').toUpperCase();
  const suffix = String(Date.now()).slice(-7);

  const get = (query: string, auth: string | null = adminKey) =>
    fetch(`${t.url}/admin/invoices.csv${query}`, {
      headers: auth === null ? {} : { authorization: `Bearer ${auth}` },
    });
  const rowsOf = async (query: string) => {
    const res = await get(query);
    expect(res.status).toBe(200);
    const [header, ...rows] = parseCsv(await res.text());
    expect(header).toEqual(HEADER);
    return rows.map((r) => Object.fromEntries(HEADER.map((h, i) => [h, r[i]!])));
  };

  beforeAll(async () => {
    t = await createTestApp({}, { imports: [ReportsModule, AdminModule] });
    adminKey = t.config.adminApiKey;
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    const merchant = async (name: string, n: number) =>
      (
        await db.query<{ id: string }>(
          `INSERT INTO merchants (display_name, whatsapp_phone) VALUES ($1, $2) RETURNING id`,
          [name, `+2547${n}${suffix}`],
        )
      ).rows[0]!.id;
    merchantId = await merchant('Duka, "Bora" Ltd', 1);
    bulkMerchantId = await merchant('Bulk CSV', 2);

    const invoice = async (
      n: number,
      name: string,
      phone: string,
      state: string,
      amount: number,
      paid: number,
      created: string,
    ) => {
      const customer = await db.query<{ id: string }>(
        `INSERT INTO customers (merchant_id, name, phone) VALUES ($1, $2, $3) RETURNING id`,
        [merchantId, name, phone],
      );
      const createdAt = new Date(created);
      const sentAt = state === 'READY' ? null : new Date(createdAt.getTime() + 60_000);
      const paidAt = state === 'PAID' ? new Date(createdAt.getTime() + 600_000) : null;
      await db.query(
        `INSERT INTO invoices (ref, merchant_id, customer_id, customer_phone, amount, amount_paid,
                               description, pay_token, state, sent_at, paid_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          `CSV-${tag}-${n}`,
          merchantId,
          customer.rows[0]!.id,
          phone,
          amount,
          paid,
          n === 3 ? 'Tiles and grout' : 'Plain work',
          `csv-${tag}-${n}`,
          state,
          sentAt,
          paidAt,
          createdAt,
        ],
      );
    };
    await invoice(1, 'Amina Otieno', '+254711000201', 'PAID', 1500, 1500, '2026-10-01T08:00:00Z');
    await invoice(2, 'Jane, "JJ" Doe', '+254711000202', 'SENT', 2000, 0, '2026-10-02T08:00:00Z');
    await invoice(
      3,
      'Line one\nLine two',
      '+254711000203',
      'PARTIALLY_PAID',
      900,
      400,
      '2026-10-03T08:00:00Z',
    );
    await invoice(
      4,
      '=HYPERLINK("http://evil")',
      '+254711000204',
      'READY',
      100,
      0,
      '2026-10-04T08:00:00Z',
    );
    await invoice(5, '+cmd', '+254711000205', 'SENT', 100, 0, '2026-10-05T08:00:00Z');
    await invoice(6, '-2+3', '+254711000206', 'SENT', 100, 0, '2026-10-06T08:00:00Z');
    await invoice(7, '@SUM(A1)', '+254711000207', 'SENT', 100, 0, '2026-10-07T08:00:00Z');

    // 2,345 invoices: more than two keyset pages of 1,000.
    const bulkCustomer = await db.query<{ id: string }>(
      `INSERT INTO customers (merchant_id, name, phone) VALUES ($1, 'Bulk', '+254722000300') RETURNING id`,
      [bulkMerchantId],
    );
    await db.query(
      `INSERT INTO invoices (ref, merchant_id, customer_id, customer_phone, amount, description, pay_token, state, created_at)
       SELECT 'BULK-' || $3 || '-' || g, $1, $2, '+254722000300', g, 'Bulk', 'bulk-' || $3 || '-' || g, 'READY',
              timestamptz '2026-09-01T00:00:00Z' + (g / 3) * interval '1 second' + (g % 3) * interval '1 microsecond'
         FROM generate_series(1, 2345) g`,
      [bulkMerchantId, bulkCustomer.rows[0]!.id, tag],
    );
  });

  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it('streams the columns of one merchant, newest first, phones masked', async () => {
    const res = await get(`?merchant=${merchantId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="invoices-/);
    const text = await res.text();
    expect(text).not.toMatch(/25471100020\d/);
    const [, ...rows] = parseCsv(text);
    expect(rows.map((r) => r[0])).toEqual([7, 6, 5, 4, 3, 2, 1].map((n) => `CSV-${tag}-${n}`));
    expect(rows[6]).toEqual([
      `CSV-${tag}-1`,
      merchantId,
      'Duka, "Bora" Ltd',
      'PAID',
      '1500',
      '1500',
      '0',
      '0',
      '2026-10-01T08:00:00.000Z',
      '2026-10-01T08:01:00.000Z',
      '2026-10-01T08:10:00.000Z',
      'Amina Otieno',
      '2547****201',
    ]);
    expect(rows[4]!.slice(3, 11)).toEqual([
      'PARTIALLY_PAID',
      '900',
      '400',
      '500',
      '0',
      '2026-10-03T08:00:00.000Z',
      '2026-10-03T08:01:00.000Z',
      '',
    ]);
  });

  it('escapes quotes, commas and newlines, and defuses formulas', async () => {
    const text = await (await get(`?merchant=${merchantId}`)).text();
    expect(text).toContain(`,"Duka, ""Bora"" Ltd",`);
    expect(text).toContain(`,"Jane, ""JJ"" Doe",`);
    expect(text).toContain(`,"Line one\nLine two",`);
    const names = parseCsv(text)
      .slice(1)
      .map((r) => r[11]);
    expect(names).toEqual([
      "'@SUM(A1)",
      "'-2+3",
      "'+cmd",
      `'=HYPERLINK("http://evil")`,
      'Line one\nLine two',
      'Jane, "JJ" Doe',
      'Amina Otieno',
    ]);
    expect(t.logs.text).not.toContain('raw customer phones');
  });

  it('gives raw phones only with pii=true, and logs who asked, the filters and the row count', async () => {
    const rows = await rowsOf(`?merchant=${merchantId}&status=sent&pii=true`);
    // E.164 starts with "+", which a spreadsheet would read as a formula: it is defused too.
    expect(rows.map((r) => r.customer_phone)).toEqual([
      "'+254711000207",
      "'+254711000206",
      "'+254711000205",
      "'+254711000202",
    ]);
    const record = t.logs
      .records()
      .find((r) => r.msg === 'invoice CSV export with raw customer phones');
    expect(record).toMatchObject({
      admin: expect.stringMatching(/^admin-key:[0-9a-f]{8}$/),
      filters: { merchant: merchantId, status: 'SENT', from: null, to: null, q: null },
      rows: 4,
      outcome: 'complete',
    });
    expect(t.logs.text).not.toMatch(/2547110002\d\d/);
    expect(t.logs.text).not.toContain(adminKey);
  });

  it('filters by status, period and q (ref prefix or customer name prefix, as the admin list)', async () => {
    const refs = async (query: string) =>
      (await rowsOf(`?merchant=${merchantId}&${query}`)).map((r) => r.ref!.split('-').pop());
    expect(await refs('status=PAID')).toEqual(['1']);
    expect(await refs('from=2026-10-03T08:00:00Z&to=2026-10-05T08:00:00Z')).toEqual(['4', '3']);
    expect(await refs(`q=csv-${tag.toLowerCase()}-5`)).toEqual(['5']);
    expect(await refs('q=jane')).toEqual(['2']);
    expect(await refs('q=line')).toEqual(['3']);
    expect(await refs('q=JJ')).toEqual([]);
    expect(await refs(`q=${encodeURIComponent('%')}`)).toEqual([]);
  });

  it('pages through a large export without losing or repeating a row', async () => {
    const rows = await rowsOf(`?merchant=${bulkMerchantId}`);
    expect(rows).toHaveLength(2345);
    expect(new Set(rows.map((r) => r.ref)).size).toBe(2345);
    const amounts = rows.map((r) => Number(r.amount));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    expect(rows[0]!.customer_phone).toBe('2547****300');
  });

  it('needs the admin key: none or a wrong one is 401, a merchant key 403', async () => {
    expect((await get(`?merchant=${merchantId}`, null)).status).toBe(401);
    const created = await fetch(`${t.url}/admin/merchants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Nosy merchant', phone: `07${String(Date.now()).slice(-8)}` }),
    });
    expect(created.status).toBe(201);
    const { apiKey } = (await created.json()) as { apiKey: string };
    const asMerchant = await get(`?merchant=${merchantId}&pii=true`, apiKey);
    expect(asMerchant.status).toBe(403);
    expect(await asMerchant.text()).not.toContain('254711000');
    const wrong = await get(`?merchant=${merchantId}&pii=true`, 'merchant-or-guess');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('254711000');
  });

  it.each([
    ['merchant=abc', 'merchant'],
    ['status=LOST', 'status'],
    ['pii=yes', 'pii'],
    ['from=last-week', 'from'],
    ['from=2026-11-01&to=2026-10-01', 'to must be after from'],
    ['unknown=1', 'unknown'],
  ])('rejects %s with 400 before streaming', async (query, mentions) => {
    const res = await get(`?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(JSON.stringify(await res.json())).toContain(mentions);
  });
});
