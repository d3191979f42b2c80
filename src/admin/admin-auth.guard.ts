import { type CanActivate, type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { bearerToken } from '../common/http/bearer';
import { DomainError } from '../common/http/domain-error';
import { secretsMatch } from '../common/security/secret-compare';
import { MerchantsService } from '../merchants/merchants.service';

/**
 * Operator endpoints: `Authorization: Bearer <ADMIN_API_KEY>`. A valid merchant key is the
 * wrong kind of credential (403, so an integrator sees at once which key they sent); anything
 * else is 401.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly merchants: MerchantsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const token = bearerToken(request.headers.authorization) ?? '';
    if (secretsMatch(token, this.config.adminApiKey)) return true;
    if (token !== '' && (await this.merchants.findByApiKey(token))) {
      throw new DomainError(
        'forbidden',
        'This is a merchant API key; admin endpoints need the ADMIN_API_KEY',
        HttpStatus.FORBIDDEN,
      );
    }
    throw new DomainError(
      'unauthorized',
      'Send the admin key as Authorization: Bearer <key>',
      HttpStatus.UNAUTHORIZED,
    );
  }
}
