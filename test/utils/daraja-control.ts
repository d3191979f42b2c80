import { randomInt } from 'node:crypto';

/** A fresh Safaricom number each time, so no test trips over another's subscriber lock. */
export const newSafaricomPhone = (): string =>
  `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 50 ms until it gives something truthy; throws after `ms`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(50);
  }
}

/**
 * The Daraja simulator's control API (/sandbox/daraja/control/…): GET without a body, POST with
 * one; anything but 200 fails the test.
 */
export function darajaControl(baseUrl: () => string) {
  return async (path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${baseUrl()}/sandbox/daraja/control/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== 200) {
      throw new Error(`Daraja control ${path} answered ${res.status}: ${await res.text()}`);
    }
    return res.json();
  };
}
