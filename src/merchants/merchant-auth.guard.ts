import { type CanActivate, type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken } from '../common/http/bearer';
import { DomainError } from '../common/http/domain-error';
import { secretsMatch } from '../common/security/secret-compare';
import { AppConfig } from '../config/app-config';
import type { MerchantRecord } from './merchant.record';
import { MerchantsService } from './merchants.service';

export interface MerchantRequest extends Request {
  merchant?: MerchantRecord;
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
    const key = bearerToken(request.headers.authorization);
    const merchant = await this.merchants.findByApiKey(key);
    if (!merchant && secretsMatch(key, this.config.adminApiKey)) {
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
