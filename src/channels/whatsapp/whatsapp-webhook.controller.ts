import { Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig } from '../../config/app-config';
import type { RequestWithRawBody } from '../../common/http/body-parsers';
import { secretsMatch } from '../../common/security/secret-compare';
import { storableJson } from '../../common/text/storable';
import { WhatsAppWebhookGuard } from './whatsapp-webhook.guard';
import { WhatsAppWebhookService } from './whatsapp-webhook.service';

/** Provider-facing only: kept out of the public API document. */
@ApiExcludeController()
@Controller('whatsapp/webhook')
export class WhatsAppWebhookController {
  constructor(
    private readonly config: AppConfig,
    private readonly webhooks: WhatsAppWebhookService,
  ) {}

  /** Meta's subscription check: echo the challenge, raw, when the verify token matches. */
  @Get()
  verify(@Query() query: Record<string, unknown>, @Res() res: Response): void {
    const mode = query['hub.mode'];
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    const ok =
      mode === 'subscribe' &&
      typeof token === 'string' &&
      typeof challenge === 'string' &&
      secretsMatch(token, this.config.whatsapp.verifyToken);
    if (!ok) {
      res.status(403).type('text/plain').send('Forbidden');
      return;
    }
    res.status(200).type('text/plain').send(challenge);
  }

  @Post()
  @HttpCode(200)
  @UseGuards(WhatsAppWebhookGuard)
  receive(@Req() req: RequestWithRawBody): Promise<{ received: number }> {
    // Whatever Meta sends is acknowledged and recorded, so first made storable: PostgreSQL
    // refuses NUL and lone surrogates, and JSON.stringify overflows on bodies nested thousands deep.
    return this.webhooks.receive(storableJson(req.body), req.rawBody ?? Buffer.alloc(0));
  }
}
