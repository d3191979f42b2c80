import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export interface SpawnedApp {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  /** 'ts' (default): src/main.ts through ts-node; 'dist': the build, `node dist/src/main.js`, as in production. */
  entry?: 'ts' | 'dist';
  /** Checkout to run (default: this repository). */
  root?: string;
  /** Keep the output in memory for output() (default true); off for long, chatty runs. */
  keepOutput?: boolean;
  /** Also called with every chunk of stdout and stderr. */
  onOutput?: (chunk: Buffer) => void;
}

/** Runs src/main.ts as a separate process, as `npm start` would, with exactly the given environment. */
export function spawnApp(env: Record<string, string>, options: SpawnOptions = {}): SpawnedApp {
  const root = options.root ?? ROOT;
  const args =
    options.entry === 'dist'
      ? [join(root, 'dist/src/main.js')]
      : ['-r', 'ts-node/register/transpile-only', 'src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...(options.entry === 'dist' ? {} : { TS_NODE_TRANSPILE_ONLY: '1' }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = options.keepOutput ?? true;
  let out = '';
  const collect = (d: Buffer) => {
    if (keep) out += d.toString();
    options.onOutput?.(d);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, output: () => out, exited };
}

export async function waitForHttp(url: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
