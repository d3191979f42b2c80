import { DarajaTokenCache, parseExpiresIn } from './daraja-token.cache';

describe('token cache', () => {
  it('parses expires_in as string or number', () => {
    expect(parseExpiresIn('3599')).toBe(3599);
    expect(parseExpiresIn(3599)).toBe(3599);
    for (const v of ['', 'soon', -1, 0, null, undefined]) expect(parseExpiresIn(v)).toBeUndefined();
  });

  it('shares one fetch between concurrent callers and refreshes before expiry', async () => {
    let now = 0;
    const cache = new DarajaTokenCache(() => now);
    let fetches = 0;
    const fetchToken = async () => {
      fetches += 1;
      await new Promise((r) => setTimeout(r, 5));
      return { ok: true as const, token: `t${fetches}`, expiresInSeconds: 3599 };
    };
    const tokens = await Promise.all([1, 2, 3].map(() => cache.get('k', fetchToken)));
    expect(tokens.map((t) => t.ok && t.token)).toEqual(['t1', 't1', 't1']);
    expect(fetches).toBe(1);

    now = 3_538_000;
    expect(await cache.get('k', fetchToken)).toEqual({ ok: true, token: 't1' });
    now = 3_540_000; // within the last minute of its 3599 s life: refresh early
    expect(await cache.get('k', fetchToken)).toEqual({ ok: true, token: 't2' });
    expect(await cache.get('other-credentials', fetchToken)).toEqual({ ok: true, token: 't3' });
  });

  it('invalidate only drops the token that failed', async () => {
    const cache = new DarajaTokenCache(() => 0);
    let n = 0;
    const fetchToken = () =>
      Promise.resolve({ ok: true as const, token: `t${++n}`, expiresInSeconds: 3599 });
    await cache.get('k', fetchToken);
    cache.invalidate('t1');
    expect(await cache.get('k', fetchToken)).toEqual({ ok: true, token: 't2' });
    cache.invalidate('t1'); // a late failure with the old token must not discard the new one
    expect(await cache.get('k', fetchToken)).toEqual({ ok: true, token: 't2' });
  });
});
