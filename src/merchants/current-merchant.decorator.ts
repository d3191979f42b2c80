import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { MerchantRequest } from './merchant-auth.guard';
import { UnauthorizedError } from './merchant-auth.guard';
import type { MerchantRecord } from './merchant.record';

/** The merchant MerchantAuthGuard attached to the request. Use only behind that guard. */
export const CurrentMerchant = createParamDecorator(
  (_: unknown, context: ExecutionContext): MerchantRecord => {
    const merchant = context.switchToHttp().getRequest<MerchantRequest>().merchant;
    // A route that forgot the guard must fail closed, not run without a tenant.
    if (!merchant) throw new UnauthorizedError();
    return merchant;
  },
);
