import { appendFileSync } from 'node:fs';
import fc from 'fast-check';

/** One line of the run's stats file, summed up by the global teardown. */
export interface PropertyStats {
  name: string;
  runs: number;
  ms: number;
  baseSeed: number;
  seed: number;
  failed: boolean;
}

const DEFAULT_SEED = 20260417;

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value))
    throw new Error(`${name} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

/** FUZZ_SEED=<integer> replays (or varies) a run; the default is fixed so runs are reproducible. */
export const FUZZ_SEED = Math.trunc(numberFromEnv('FUZZ_SEED', DEFAULT_SEED));
/** FUZZ_SCALE=0.1 for a quick look, 10 for a long soak. */
export const FUZZ_SCALE = numberFromEnv('FUZZ_SCALE', 1);

export const scaledRuns = (numRuns: number): number =>
  Math.max(1, Math.round(numRuns * FUZZ_SCALE));

/** Each property gets its own seed from the run's seed and its name (FNV-1a). */
export function seedFor(name: string): number {
  let hash = 0x811c9dc5;
  for (const char of name) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193);
  }
  return (FUZZ_SEED ^ hash) | 0;
}

/**
 * Runs a property with its seed and scaled number of runs, records how many cases it generated,
 * and fails with fast-check's report (counterexample, shrink count, seed and path to replay).
 */
export async function fuzz<Ts>(
  name: string,
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  numRuns: number,
): Promise<void> {
  const seed = seedFor(name);
  const started = Date.now();
  const details = await fc.check(property as fc.IRawProperty<Ts>, {
    numRuns: scaledRuns(numRuns),
    seed,
    includeErrorInReport: true,
  });
  const stats: PropertyStats = {
    name,
    runs: details.numRuns,
    ms: Date.now() - started,
    baseSeed: FUZZ_SEED,
    seed,
    failed: details.failed,
  };
  const file = process.env.FUZZ_STATS_FILE;
  if (file) appendFileSync(file, `${JSON.stringify(stats)}\n`);
  if (details.failed) {
    throw new Error(
      `Property "${name}" failed (FUZZ_SEED=${FUZZ_SEED}, property seed ${seed}).\n` +
        (fc.defaultReportMessage(details) ?? ''),
    );
  }
}
