import { type CanActivate, type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/http/domain-error';

/** Hashing first gives both sides the same length, so timing leaks neither content nor length. */
function sameSecret(given: string, expected: string): boolean {
  if (expected === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Operator endpoints: `Authorization: Bearer <ADMIN_API_KEY>`, anything else is 401. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !sameSecret(match[1] ?? '', this.config.adminApiKey)) {
      throw new DomainError(
        'unauthorized',
        'Send the admin key as Authorization: Bearer <key>',
        HttpStatus.UNAUTHORIZED,
      );
    }
    return true;
  }
}
