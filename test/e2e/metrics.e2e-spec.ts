import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import request from 'supertest';
import { MachineRegistry } from '../../src/runtime/machine-registry';
import { MachineRunner } from '../../src/runtime/machine-runner';
import { RuntimeSignals } from '../../src/runtime/runtime-signals';
import { createTestApp, type TestApp } from '../utils/create-app';
import { exampleDefinition, EXAMPLE_TABLE_SQL } from '../utils/example.machine';

@Injectable()
class RegisterExample implements OnModuleInit {
  constructor(private readonly registry: MachineRegistry) {}
  onModuleInit(): void {
    this.registry.register(exampleDefinition);
  }
}
@Module({ providers: [RegisterExample] })
class ExampleModule {}

/** Parses the Prometheus text format into { name, labels, value } samples. */
function parseExposition(
  text: string,
): { name: string; labels: Record<string, string>; value: number }[] {
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { imports: [ExampleModule] });
  });
  afterAll(() => t.close());

  it('exposes HTTP, machine, outbox, timer, payment and message series without PII', async () => {
    const runner = t.app.get(MachineRunner);
    const signals = t.app.get(RuntimeSignals);
    const id = await signals.transaction(async (manager) => {
      await manager.query(EXAMPLE_TABLE_SQL);
      const [row] = (await manager.query(
        `INSERT INTO example_widgets DEFAULT VALUES RETURNING id`,
      )) as { id: string }[];
      await runner.start(exampleDefinition.kind, row!.id, { label: 'call 0712345678' }, manager);
      return row!.id;
    });
    await runner.send(exampleDefinition.kind, id, { type: 'START' }, { source: 'test' });
    await runner.send(exampleDefinition.kind, id, { type: 'START' }, { source: 'test' }); // ignored
    await request(t.url).get('/healthz').expect(200);
    await request(t.url).get('/no-such-page/SECRET-TOKEN-0712345678').expect(404);

    const res = await request(t.url).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const samples = parseExposition(res.text);
    const find = (name: string, labels: Record<string, string> = {}) =>
      samples.filter(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );

    expect(
      find('invoiceiq_http_request_duration_seconds_count', {
        route: '/healthz',
        status: '200',
        method: 'GET',
      })[0]?.value,
    ).toBeGreaterThanOrEqual(1);
    expect(
      find('invoiceiq_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })
        .length,
    ).toBe(1);
    expect(
      find('invoiceiq_machine_transitions_total', {
        kind: 'example.widget',
        from: 'idle',
        to: 'active',
        accepted: 'true',
      })[0]?.value,
    ).toBe(1);
    expect(
      find('invoiceiq_machine_transitions_total', {
        kind: 'example.widget',
        from: 'active',
        to: 'active',
        accepted: 'false',
      })[0]?.value,
    ).toBe(1);
    expect(find('invoiceiq_outbox_rows').length).toBeGreaterThan(0);
    expect(find('invoiceiq_timers_due')).toHaveLength(1);
    expect(res.text).toContain('# TYPE invoiceiq_payments gauge');
    expect(res.text).toContain('# TYPE invoiceiq_messages gauge');
    expect(res.text).not.toMatch(/0712345678|SECRET-TOKEN/);
  });
});
