import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import globalTeardown from '../../global-teardown';
import type { PropertyStats } from './fuzz-run';

/** Prints what the run generated, property by property, then drops the database. */
export default async function fuzzGlobalTeardown(): Promise<void> {
  const file = process.env.FUZZ_STATS_FILE;
  if (file && existsSync(file)) {
    const stats = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as PropertyStats);
    const total = stats.reduce((sum, s) => sum + s.runs, 0);
    const width = Math.max(...stats.map((s) => s.name.length), 10);
    const lines = stats.map(
      (s) =>
        `  ${s.name.padEnd(width)} ${String(s.runs).padStart(6)} cases ${(s.ms / 1000).toFixed(1).padStart(6)} s${s.failed ? '  FAILED' : ''}`,
    );
    const wall = (Date.now() - Number(process.env.FUZZ_STARTED_AT ?? Date.now())) / 1000;
    const seed = stats[0]?.baseSeed ?? 'unknown';
    process.stdout.write(
      `\nFuzz cases by property (FUZZ_SEED=${seed}):\n${lines.join('\n')}\n` +
        `Fuzz: ${total} generated cases in total, ${wall.toFixed(1)} s wall time\n`,
    );
    rmSync(dirname(file), { recursive: true, force: true });
  }
  await globalTeardown();
}
