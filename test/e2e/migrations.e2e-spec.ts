import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

function runCheck(env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'scripts/migrations-check.ts'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('migrations up → down → up', () => {
  it('passes on the embedded database', () => {
    const { status, output } = runCheck({});
    expect(output).toContain('migrations up/down/up OK on embedded PGlite');
    expect(status).toBe(0);
  });

  const server = process.env.IQ_TEST_SERVER_URL;
  (server ? it : it.skip)('passes on the PostgreSQL server of this run', () => {
    const { status, output } = runCheck({ DATABASE_URL: server! });
    expect(output).toContain('migrations up/down/up OK on PostgreSQL');
    expect(status).toBe(0);
  });
});
