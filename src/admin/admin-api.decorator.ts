import { applyDecorators, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { AdminAuthGuard } from './admin-auth.guard';

/** Requests per minute per client address and route on /admin/*. */
export const ADMIN_RATE_LIMIT = 120;

/**
 * What every operator controller shares: the admin key, the rate limit (checked first, so
 * guessing keys is throttled too) and the OpenAPI security scheme.
 */
export function AdminApi(): ClassDecorator {
  return applyDecorators(
    ApiTags('admin'),
    ApiBearerAuth('admin'),
    ApiUnauthorizedResponse({ description: 'Missing or unknown key' }),
    ApiForbiddenResponse({ description: 'A merchant API key: wrong kind of credential' }),
    ApiTooManyRequestsResponse({ description: `More than ${ADMIN_RATE_LIMIT} requests a minute` }),
    Throttle({ default: { limit: ADMIN_RATE_LIMIT, ttl: 60_000 } }),
    UseGuards(ThrottlerGuard, AdminAuthGuard),
  );
}
