import { randomInt } from 'node:crypto';
import request from 'supertest';
import { AdminModule } from '../../src/admin/admin.module';
import { InvoicesModule } from '../../src/invoices/invoices.module';
import { createTestApp, type TestApp } from '../utils/create-app';

const ADMIN_KEY = 'admin-key-for-e2e-tests-0123456789';
const newPhone = (): string => `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

describe('admin merchants API', () => {
  let t: TestApp;
  const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

  beforeAll(async () => {
    t = await createTestApp(
      { ADMIN_API_KEY: ADMIN_KEY },
      { imports: [AdminModule, InvoicesModule] },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses missing and wrong keys with 401', async () => {
    for (const headers of [
      {},
      { Authorization: 'Bearer wrong-key' },
      { Authorization: `Bearer ${ADMIN_KEY}x` },
      { Authorization: ADMIN_KEY },
      { Authorization: `Basic ${ADMIN_KEY}` },
    ]) {
      const res = await request(t.url).get('/admin/merchants').set(headers).expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      await request(t.url)
        .post('/admin/merchants')
        .set(headers)
        .send({ name: 'Nope', phone: newPhone() })
        .expect(401);
    }
  });

  it('creates a merchant (201, API key once) and lists merchants without keys', async () => {
    const phone = newPhone();
    const local = `0${phone.slice(4)}`;
    const res = await request(t.url)
      .post('/admin/merchants')
      .set(admin)
      .send({ name: ' Mama Mboga ', phone: local, locale: 'sw' })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Mama Mboga',
      phone,
      locale: 'sw',
      createdAt: expect.any(String),
      apiKey: expect.any(String),
    });
    // The key works on the merchant API.
    await request(t.url)
      .get('/invoices')
      .set({ Authorization: `Bearer ${res.body.apiKey}` })
      .expect(200);

    const list = await request(t.url).get('/admin/merchants').set(admin).expect(200);
    const mine = list.body.items.find((m: { id: string }) => m.id === res.body.id);
    expect(mine).toEqual({
      id: res.body.id,
      name: 'Mama Mboga',
      phone,
      locale: 'sw',
      createdAt: res.body.createdAt,
    });
    expect(JSON.stringify(list.body)).not.toContain(res.body.apiKey);
    expect(JSON.stringify(list.body)).not.toMatch(/apiKey|api_key/);
  });

  it('validates the body and refuses a second merchant on the same number', async () => {
    const phone = newPhone();
    await request(t.url)
      .post('/admin/merchants')
      .set(admin)
      .send({ name: 'Shop', phone: '12345' })
      .expect(400);
    await request(t.url)
      .post('/admin/merchants')
      .set(admin)
      .send({ name: 'Shop', phone, locale: 'fr' })
      .expect(400);
    await request(t.url)
      .post('/admin/merchants')
      .set(admin)
      .send({ name: 'Shop', phone })
      .expect(201);
    await request(t.url)
      .post('/admin/merchants')
      .set(admin)
      .send({ name: 'Shop 2', phone })
      .expect(409);
  });
});
