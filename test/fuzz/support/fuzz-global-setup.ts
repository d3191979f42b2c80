import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import globalSetup from '../../global-setup';

/** The main suite's database set-up, plus a file where every property appends its case count. */
export default async function fuzzGlobalSetup(): Promise<void> {
  process.env.FUZZ_STATS_FILE = join(mkdtempSync(join(tmpdir(), 'iq-fuzz-')), 'cases.jsonl');
  process.env.FUZZ_STARTED_AT = String(Date.now());
  await globalSetup();
}
