// Makes `npm start` work on a fresh clone: installs dependencies when they are missing or older
// than package-lock.json, and builds when dist/ is missing or older than the sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function run(command, args) {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const installed = 'node_modules/.package-lock.json';
if (mtime(installed) < mtime('package-lock.json')) {
  console.log('Installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

if (process.argv.includes('--deps-only')) process.exit(0);

const built = 'dist/src/main.js';
const sources = Math.max(
  newest('src'),
  newest('migrations'),
  mtime('package-lock.json'),
  mtime('tsconfig.json'),
);
if (mtime(built) < sources) {
  console.log('Building (nest build)…');
  run('npx', ['nest', 'build']);
}
