/** Why no token could be had; `retryable` is false for a configuration problem (wrong keys). */
export interface TokenFailure {
  code: string;
  message: string;
  retryable: boolean;
}

export type TokenFetchResult =
  { ok: true; token: string; expiresInSeconds: number } | { ok: false; failure: TokenFailure };

export type TokenResult = { ok: true; token: string } | { ok: false; failure: TokenFailure };

/** Used when `expires_in` is missing or unreadable: short enough to be harmless if wrong. */
export const FALLBACK_LIFETIME_SECONDS = 300;

/** `expires_in` arrives as "3599" in practice and as 3599 in the docs. */
export function parseExpiresIn(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The OAuth token, fetched once and shared: concurrent callers wait on the same request, and the
 * token is replaced a little before it expires (10 % of its life, at most a minute) so that no
 * call goes out with a token that dies in flight. A new token may invalidate the previous one,
 * which is one more reason never to fetch two at once.
 */
export class DarajaTokenCache {
  private current?: { key: string; value: string; refreshAt: number };
  private inflight?: { key: string; promise: Promise<TokenResult> };

  constructor(private readonly now: () => number = Date.now) {}

  /** `key` names the credentials and base URL: a token is only reused for the same ones. */
  async get(key: string, fetchToken: () => Promise<TokenFetchResult>): Promise<TokenResult> {
    const current = this.current;
    if (current && current.key === key && this.now() < current.refreshAt) {
      return { ok: true, token: current.value };
    }
    if (this.inflight && this.inflight.key === key) return this.inflight.promise;
    const promise = this.refresh(key, fetchToken);
    this.inflight = { key, promise };
    try {
      return await promise;
    } finally {
      if (this.inflight?.promise === promise) this.inflight = undefined;
    }
  }

  /**
   * Forget `token` after Daraja refused it. Only that token: when several calls fail with the
   * same dead token, the first one's refresh is shared instead of each forcing a new one.
   */
  invalidate(token: string): void {
    if (this.current?.value === token) this.current = undefined;
  }

  private async refresh(
    key: string,
    fetchToken: () => Promise<TokenFetchResult>,
  ): Promise<TokenResult> {
    const fetched = await fetchToken();
    if (!fetched.ok) return fetched;
    const lifetimeMs = fetched.expiresInSeconds * 1000;
    const margin = Math.min(60_000, lifetimeMs / 10);
    this.current = { key, value: fetched.token, refreshAt: this.now() + lifetimeMs - margin };
    return { ok: true, token: fetched.token };
  }
}
