import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { WebSocketServer } from 'ws';
import { spawnApp, waitForHttp } from '../utils/spawn-app';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('the process', () => {
  it.each([
    [{ PORT: 'abc' }, /PORT: /],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL: /],
    [
      { SANDBOX: 'false' },
      /MPESA_CONSUMER_KEY: required[\s\S]*WABA_TOKEN: required|WABA_TOKEN: required[\s\S]*MPESA_CONSUMER_KEY: required/,
    ],
  ])('refuses to start with %j, naming the variable', async (env, message) => {
    const app = spawnApp(env);
    const code = await app.exited;
    expect(code).not.toBe(0);
    expect(app.output()).toMatch(message);
    expect(app.output()).toContain('Invalid configuration');
  });

  it('keeps data in the embedded database across a SIGKILL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'iq-kill9-'));
    const [port, dbPort] = [await freePort(), await freePort()];
    const env = {
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_DB_PORT: String(dbPort),
      LOG_LEVEL: 'warn',
    };
    const url = `postgres://postgres:postgres@127.0.0.1:${dbPort}/postgres`;
    try {
      const first = spawnApp(env);
      await waitForHttp(`http://127.0.0.1:${port}/readyz`);
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query(
        `INSERT INTO merchants (display_name, whatsapp_phone) VALUES ('Kill Nine Bakery', '+254700000009')`,
      );
      await client.end();
      first.child.kill('SIGKILL');
      await first.exited;

      const second = spawnApp(env);
      await waitForHttp(`http://127.0.0.1:${port}/readyz`);
      const again = new Client({ connectionString: url });
      await again.connect();
      const rows = await again.query(
        `SELECT display_name FROM merchants WHERE whatsapp_phone = '+254700000009'`,
      );
      await again.end();
      expect(rows.rows).toEqual([{ display_name: 'Kill Nine Bakery' }]);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('reports machine transitions to a Stately inspector when INSPECT_URL is set, without phone numbers', async () => {
    const received: { type: string; sessionId?: string }[] = [];
    let raw = '';
    const inspector = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => inspector.once('listening', resolve));
    inspector.on('connection', (socket) =>
      socket.on('message', (data: Buffer) => {
        raw += data.toString();
        received.push(JSON.parse(data.toString()) as { type: string; sessionId?: string });
      }),
    );
    const address = inspector.address();
    const inspectorPort = typeof address === 'object' && address ? address.port : 0;
    const dataDir = mkdtempSync(join(tmpdir(), 'iq-inspect-'));
    const port = await freePort();
    const app = spawnApp({
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      INSPECT_URL: `ws://127.0.0.1:${inspectorPort}`,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`);
      // The demo merchant (seeded in sandbox mode) sends a one-line invoice.
      await fetch(`http://127.0.0.1:${port}/sandbox/whatsapp/control/users/254711000001/inbound`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: 'invoice 0722000002 900 Inspector test' }),
      });
      const deadline = Date.now() + 30_000;
      const invoiceSnapshot = () =>
        received.find((m) => m.type === '@xstate.snapshot' && m.sessionId?.startsWith('invoice:'));
      while (!invoiceSnapshot() && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(
        received.some((m) => m.type === '@xstate.actor' && m.sessionId?.startsWith('invoice:')),
      ).toBe(true);
      expect(invoiceSnapshot()).toBeDefined();
      expect(raw).not.toMatch(/722000002|711000001/);
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
      await new Promise((resolve) => inspector.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
