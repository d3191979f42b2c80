import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve(__dirname, '../../test-artifacts');

/**
 * Debian's Chromium, never a downloaded browser. CI installs it (.ci/run) and must run these
 * tests; elsewhere they are skipped with a message when it is missing.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI)
    throw new Error(
      `Chromium not found at ${CHROMIUM}: CI must install it (apt-get install -y chromium)`,
    );
  process.stderr.write(
    `\n[browser tests skipped] no Chromium at ${CHROMIUM}; install it with: apt-get install -y chromium\n`,
  );
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const artifact = (name: string) => resolve(ARTIFACTS, name);
