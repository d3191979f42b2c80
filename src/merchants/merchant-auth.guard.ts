import { type CanActivate, type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { DomainError } from '../common/http/domain-error';
import { AppConfig } from '../config/app-config';
import type { MerchantRecord } from './merchant.record';
import { MerchantsService } from './merchants.service';

export interface MerchantRequest extends Request {
  merchant?: MerchantRecord;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Constant-time: both sides hashed to the same length first. */
function isAdminKey(key: string | undefined, adminKey: string): boolean {
  if (!key || adminKey === '') return false;
  const a = createHash('sha256').update(key, 'utf8').digest();
  const b = createHash('sha256').update(adminKey, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export class UnauthorizedError extends DomainError {
  constructor() {
    super('unauthorized', 'Missing or invalid API key', HttpStatus.UNAUTHORIZED);
  }
}

/**
 * `Authorization: Bearer <merchant API key>` → the merchant on the request. Missing, malformed
 * and unknown keys get the same answer, so a caller learns nothing about which it was. The
 * ADMIN_API_KEY is the wrong kind of credential here: 403, not 401.
 */
@Injectable()
export class MerchantAuthGuard implements CanActivate {
  constructor(
    private readonly merchants: MerchantsService,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<MerchantRequest>();
    const header = request.headers.authorization;
    const key = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    const merchant = await this.merchants.findByApiKey(key);
    if (!merchant && isAdminKey(key, this.config.adminApiKey)) {
      throw new DomainError(
        'forbidden',
        'This is the admin key; merchant endpoints need a merchant API key',
        HttpStatus.FORBIDDEN,
      );
    }
    if (!merchant) throw new UnauthorizedError();
    request.merchant = merchant;
    return true;
  }
}
