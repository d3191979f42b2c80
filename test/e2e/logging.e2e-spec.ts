import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-app';
import { ProbeModule } from '../utils/probe.module';

describe('request logs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({}, { imports: [ProbeModule] });
  });
  afterAll(() => t.close());

  it('carries the request id on every line of the request, and never a raw phone, token or Authorization header', async () => {
    await request(t.url)
      .get('/__probe/log-phone')
      .query({ phone: '0712345678', token: 'tok-SECRET-123' })
      .set('X-Request-Id', 'log-test-1')
      .set('Authorization', 'Bearer sk_live_SUPERSECRET')
      .expect(200);
    await request(t.url).get('/pay/PAYTOKEN-SECRET-456/status').set('X-Request-Id', 'log-test-2');

    const lines = t.logs.records().filter((r) => JSON.stringify(r).includes('log-test-1'));
    // two lines logged by the handler plus the access line
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      const id = (line.req as { id?: string } | undefined)?.id;
      expect(id).toBe('log-test-1');
    }
    const all = t.logs.text;
    expect(all).toContain('07****678');
    expect(all).not.toMatch(/0712345678|712345678/);
    expect(all).not.toContain('tok-SECRET-123');
    expect(all).not.toContain('sk_live_SUPERSECRET');
    expect(all).not.toContain('PAYTOKEN-SECRET-456');
    expect(all).not.toContain('invoice body');
  });
});
