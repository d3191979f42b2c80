import { type CanActivate, type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '../common/http/domain-error';
import type { MerchantRecord } from './merchant.record';
import { MerchantsService } from './merchants.service';

export interface MerchantRequest extends Request {
  merchant?: MerchantRecord;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export class UnauthorizedError extends DomainError {
  constructor() {
    super('unauthorized', 'Missing or invalid API key', HttpStatus.UNAUTHORIZED);
  }
}

/**
 * `Authorization: Bearer <merchant API key>` → the merchant on the request. Missing, malformed
 * and unknown keys get the same answer, so a caller learns nothing about which it was.
 */
@Injectable()
export class MerchantAuthGuard implements CanActivate {
  constructor(private readonly merchants: MerchantsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<MerchantRequest>();
    const header = request.headers.authorization;
    const key = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    const merchant = await this.merchants.findByApiKey(key);
    if (!merchant) throw new UnauthorizedError();
    request.merchant = merchant;
    return true;
  }
}
