import { storableJson } from '../common/text/storable';
import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { RequestWithRawBody } from '../common/http/body-parsers';
import { NotFoundError } from '../common/http/domain-error';
import { secretsMatch } from '../common/security/secret-compare';
import { AppConfig } from '../config/app-config';
import { StkCallbackService } from './stk-callback.service';

const ACK = { ResultCode: 0, ResultDesc: 'Accepted' } as const;

/**
 * Daraja's STK callback: unsigned, so the unguessable path segment is the credential. A wrong
 * secret is a plain 404 and nothing is stored; anything else is acknowledged with 200, even
 * duplicates, unknown ids and bodies we cannot read, so Safaricom never retries into a storm.
 */
@ApiExcludeController()
@Controller('payments/stk/callback')
export class StkCallbackController {
  constructor(
    private readonly config: AppConfig,
    private readonly callbacks: StkCallbackService,
  ) {}

  @Post(':secret')
  @HttpCode(200)
  async receive(
    @Param('secret') secret: string,
    @Body() body: unknown,
    @Req() req: RequestWithRawBody,
  ): Promise<typeof ACK> {
    if (!secretsMatch(secret, this.config.mpesa.callbackSecret)) throw new NotFoundError('Route');
    // No body: not JSON at all (or none); what arrived is kept as text.
    // Recorded whatever it carries, so first made storable (jsonb refuses NUL and lone surrogates).
    await this.callbacks.receive(
      body === undefined ? undefined : storableJson(body),
      body === undefined ? req.rawBody : undefined,
    );
    return ACK;
  }
}
