import { DataSource } from 'typeorm';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { DEMO_CUSTOMERS, DEMO_MERCHANT } from '../../src/sandbox/page/sandbox-demo';
import { SandboxSeedService } from '../../src/sandbox/page/sandbox-seed.service';
import { createTestApp, type TestApp } from '../utils/create-app';

describe('sandbox demo seed', () => {
  let t: TestApp;
  let seed: SandboxSeedService;
  let merchants: MerchantsService;

  beforeAll(async () => {
    t = await createTestApp({ SANDBOX_DEMO: 'true' }, { full: true });
    seed = t.app.get(SandboxSeedService);
    merchants = t.app.get(MerchantsService);
  });
  afterAll(() => t.close());

  it('has the demo merchant, with a working key, and its customers at start', async () => {
    expect(seed.merchantId).not.toBeNull();
    const merchant = await merchants.findByApiKey(seed.apiKey);
    expect(merchant).toMatchObject({
      id: seed.merchantId,
      displayName: DEMO_MERCHANT.name,
      whatsappPhone: DEMO_MERCHANT.phone,
    });
    const customers = await t.app
      .get(DataSource)
      .query<{ name: string; phone: string }[]>(
        `SELECT name, phone FROM customers WHERE merchant_id = $1 ORDER BY phone`,
        [seed.merchantId],
      );
    expect(customers).toEqual(DEMO_CUSTOMERS.map(({ name, phone }) => ({ name, phone })));
  });

  it('keeps the merchant and replaces its key when seeded again', async () => {
    const before = { id: seed.merchantId, key: seed.apiKey };
    const again = await seed.seed();
    expect(again.merchantId).toBe(before.id);
    expect(again.apiKey).not.toBe(before.key);
    expect(await merchants.findByApiKey(before.key)).toBeNull();
    expect((await merchants.findByApiKey(again.apiKey))?.id).toBe(before.id);
    const count = await t.app
      .get(DataSource)
      .query<{ n: number }[]>(`SELECT count(*)::int AS n FROM customers WHERE merchant_id = $1`, [
        before.id,
      ]);
    expect(count[0].n).toBe(DEMO_CUSTOMERS.length);
  });
});
