import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import type { RequestWithRawBody } from '../../common/http/body-parsers';
import { authenticateWhatsAppWebhook } from './whatsapp-signature';

/**
 * Authenticates a WhatsApp webhook on the raw bytes before any handler sees it. A failure says
 * nothing about which check failed.
 */
@Injectable()
export class WhatsAppWebhookGuard implements CanActivate {
  private readonly logger = new Logger(WhatsAppWebhookGuard.name);

  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<RequestWithRawBody>();
    const { provider, appSecret, webhookSecret } = this.config.whatsapp;
    const ok = authenticateWhatsAppWebhook({
      provider,
      rawBody: req.rawBody ?? Buffer.alloc(0),
      headers: req.headers,
      appSecret,
      webhookSecret,
    });
    if (!ok) {
      this.logger.warn({ msg: 'WhatsApp webhook refused: authentication failed', provider });
      throw new UnauthorizedException('Webhook authentication failed');
    }
    return true;
  }
}
