import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-app';
import { ProbeModule } from '../utils/probe.module';

describe('HTTP basics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({}, { imports: [ProbeModule] });
  });
  afterAll(() => t.close());

  it('GET /healthz answers 200 without touching anything', async () => {
    const res = await request(t.url).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 with the database up and migrations applied', async () => {
    const res = await request(t.url).get('/readyz').expect(200);
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.migrations.status).toBe('up');
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const json = await request(t.url).get('/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    const html = await request(t.url).get('/docs').expect(200);
    expect(html.text).toContain('swagger');
  });

  it('sets security headers', async () => {
    const res = await request(t.url).get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('echoes a given X-Request-Id and generates one otherwise', async () => {
    const given = await request(t.url).get('/healthz').set('X-Request-Id', 'req-abc-123');
    expect(given.headers['x-request-id']).toBe('req-abc-123');
    const generated = await request(t.url).get('/healthz');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await request(t.url).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(unsafe.headers['x-request-id']).not.toBe('bad id with spaces');
  });

  it('answers an unknown field with 400 naming it', async () => {
    const res = await request(t.url)
      .post('/__probe/validate')
      .send({ description: 'Logo design', amount: 100, colour: 'red' })
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(JSON.stringify(res.body.message)).toContain('property colour should not exist');
    expect(res.body.requestId).toBeTruthy();
  });

  it('answers a wrong type with 400 naming the field', async () => {
    const res = await request(t.url)
      .post('/__probe/validate')
      .send({ description: 'Logo', amount: 'abc' })
      .expect(400);
    expect(JSON.stringify(res.body.message)).toMatch(/amount must be an integer/);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await request(t.url)
      .post('/__probe/validate')
      .set('Content-Type', 'application/json')
      .send('{"description": ')
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: 'Request body is not valid JSON' });
    expect(res.body.requestId).toBeTruthy();
  });

  it('answers a body nested thousands deep with 400, not a stack overflow (found by fuzzing)', async () => {
    // JSON.parse reads any depth; class-transformer then recursed into it until a RangeError.
    for (const depth of [65, 10_000, 100_000]) {
      const res = await request(t.url)
        .post('/__probe/validate')
        .set('Content-Type', 'application/json')
        .send('['.repeat(depth) + ']'.repeat(depth))
        .expect(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        message: 'Request body is nested too deeply',
      });
    }
    const deepField = `{"description":"Logo design","amount":1,"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    await request(t.url)
      .post('/__probe/validate')
      .set('Content-Type', 'application/json')
      .send(deepField)
      .expect(400);
    const shallow = `{"description":"Logo design","amount":1}`;
    await request(t.url)
      .post('/__probe/validate')
      .set('Content-Type', 'application/json')
      .send(shallow)
      .expect(201);
  });

  it('answers a body over 1 MB with 413', async () => {
    const big = JSON.stringify({ description: 'x'.repeat(1_100_000), amount: 1 });
    const res = await request(t.url)
      .post('/__probe/validate')
      .set('Content-Type', 'application/json')
      .send(big)
      .expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('lets provider webhook routes take up to 3 MB', async () => {
    const twoMb = JSON.stringify({ entry: 'x'.repeat(2_000_000) });
    // No webhook route exists yet in this app, so the body is parsed and the router answers 404, not 413.
    const res = await request(t.url)
      .post('/whatsapp/webhook')
      .set('Content-Type', 'application/json')
      .send(twoMb);
    expect(res.status).not.toBe(413);
    const fourMb = JSON.stringify({ entry: 'x'.repeat(4_000_000) });
    await request(t.url)
      .post('/whatsapp/webhook')
      .set('Content-Type', 'application/json')
      .send(fourMb)
      .expect(413);
  });

  it('answers an unhandled exception with 500, a request id and no internals', async () => {
    const res = await request(t.url).get('/__probe/boom').set('X-Request-Id', 'boom-1').expect(500);
    expect(res.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: expect.stringContaining('requestId'),
      requestId: 'boom-1',
    });
    expect(res.text).not.toMatch(/hunter2|secret\.ts|at \w+/);
  });

  it('answers an unknown route with 404 in the same shape', async () => {
    const res = await request(t.url).get('/no-such-thing').expect(404);
    expect(res.body).toMatchObject({
      statusCode: 404,
      error: 'Not Found',
      requestId: expect.any(String),
    });
  });
});
