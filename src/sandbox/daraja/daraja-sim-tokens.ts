import { bearerToken } from '../../common/http/bearer';
import { accessToken } from './daraja-sim-ids';

/** Access tokens the simulated OAuth endpoint issued, with their expiry. */
export class SimTokenStore {
  private readonly tokens = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(ttlSeconds: number, invalidatePrevious: boolean): string {
    if (invalidatePrevious) this.tokens.clear();
    const token = accessToken();
    this.tokens.set(token, this.now() + ttlSeconds * 1000);
    return token;
  }

  /** `Authorization: Bearer <token>` with a live token. */
  accepts(authorization: string | undefined): boolean {
    const token = bearerToken(authorization);
    const expiresAt = token === undefined ? undefined : this.tokens.get(token);
    return expiresAt !== undefined && expiresAt > this.now();
  }

  /** Makes every issued token dead, as if its hour had passed. */
  expireAll(): number {
    const count = this.tokens.size;
    this.tokens.clear();
    return count;
  }
}
