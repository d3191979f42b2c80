import { storableJson } from '../../common/text/storable';
import {
  Controller,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { RequestWithRawBody } from '../../common/http/body-parsers';
import { AppConfig } from '../../config/app-config';
import { parseDeliveryReport, parseInboundSms } from './sms-callback.parser';
import { SmsDeliveryReportService } from './sms-delivery-report.service';
import { SmsEventLedger } from './sms-event-ledger';
import { SmsInboundService } from './sms-inbound.service';
import { secretMatches } from './secret-compare';

/**
 * Africa's Talking callbacks. They are unsigned, so the URL carries a secret
 * (SMS_WEBHOOK_SECRET); a wrong one answers exactly like a route that does not exist.
 *
 * Bodies we cannot use (missing or malformed fields, unknown status, a sender that is not a
 * Kenyan mobile) answer 200, not 400: AT retries every non-2xx answer and a broken body stays
 * broken, so a 4xx would only buy a series of identical retries. The body is recorded in
 * inbound_events as `rejected:<kind>:<hash>` with the reason and its field names, for ops.
 * Only our own failures (database down, the bot handler throwing) answer 5xx, on purpose:
 * those are worth AT's retry. A message whose handler failed for the last time is dead (listed
 * by GET /admin/inbound-events) and answers 200: another retry would not be run.
 */
@ApiExcludeController()
@Controller('sms')
export class SmsWebhookController {
  constructor(
    private readonly config: AppConfig,
    private readonly ledger: SmsEventLedger,
    private readonly reports: SmsDeliveryReportService,
    private readonly inbound: SmsInboundService,
  ) {}

  @Post('inbound/:secret')
  @HttpCode(200)
  async receiveInbound(
    @Param('secret') secret: string,
    @Req() req: RequestWithRawBody,
  ): Promise<{ ok: true }> {
    this.authenticate(secret, req);
    // Recorded whatever it carries, so first made storable (jsonb refuses NUL and lone surrogates).
    const body = storableJson(req.body);
    const parsed = parseInboundSms(body);
    if (!parsed.ok) {
      await this.ledger.recordRejected('inbound', parsed.reason, body, req.rawBody, parsed.id);
      return { ok: true };
    }
    const result = await this.inbound.receive(parsed.value);
    if (result === 'failed') throw new ServiceUnavailableException('Inbound SMS not processed yet');
    return { ok: true };
  }

  @Post('status/:secret')
  @HttpCode(200)
  async receiveStatus(
    @Param('secret') secret: string,
    @Req() req: RequestWithRawBody,
  ): Promise<{ ok: true }> {
    this.authenticate(secret, req);
    // Recorded whatever it carries, so first made storable (jsonb refuses NUL and lone surrogates).
    const body = storableJson(req.body);
    const parsed = parseDeliveryReport(body);
    if (!parsed.ok) {
      await this.ledger.recordRejected('status', parsed.reason, body, req.rawBody, parsed.id);
      return { ok: true };
    }
    await this.reports.record(parsed.value);
    return { ok: true };
  }

  private authenticate(secret: string, req: RequestWithRawBody): void {
    if (!secretMatches(secret, this.config.sms.webhookSecret)) {
      throw new NotFoundException(`Cannot ${req.method} ${req.originalUrl}`);
    }
  }
}
