import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-app';
import { TcpProxy } from '../utils/tcp-proxy';

describe('/readyz when the database goes away', () => {
  let t: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    const db = new URL(process.env.DATABASE_URL!);
    proxy = await new TcpProxy(db.hostname, Number(db.port || 5432)).start();
    db.host = `127.0.0.1:${proxy.port}`;
    t = await createTestApp({ DATABASE_URL: db.toString() });
  });
  afterAll(async () => {
    await t.close().catch(() => undefined);
  });

  it('answers 200 while reachable and 503 with the reason once unreachable', async () => {
    await request(t.url).get('/readyz').expect(200);
    await proxy.cut();
    const res = await request(t.url).get('/readyz').expect(503);
    expect(res.body).toMatchObject({
      statusCode: 503,
      code: 'not_ready',
      requestId: expect.any(String),
    });
    expect(res.body.message).toMatch(/^Not ready: database is down/);
    expect(res.body.details.checks.database.status).toBe('down');
    // liveness does no I/O and stays up
    await request(t.url).get('/healthz').expect(200);
  });
});
