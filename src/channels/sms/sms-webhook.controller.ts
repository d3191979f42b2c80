import { Controller, HttpCode, Logger, NotFoundException, Param, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { RequestWithRawBody } from '../../common/http/body-parsers';
import { hashPhone, maskPhone } from '../../common/logging/redact';
import { secretsMatch } from '../../common/security/secret-compare';
import { storableJson } from '../../common/text/storable';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../runtime/clock';
import { RuntimeSignals } from '../../runtime/runtime-signals';
import { parseDeliveryReport, parseInboundSms } from './sms-callback.parser';
import { SmsEventLedger } from './sms-event-ledger';

/**
 * Africa's Talking callbacks. They are unsigned, so the URL carries a secret
 * (SMS_WEBHOOK_SECRET); a wrong one answers exactly like a route that does not exist.
 *
 * A usable callback is recorded on the inbound queue (ledger row and outbox row, one
 * transaction) and answered 200; the bot or the delivery report's messages row get it from
 * there, with retries. Bodies we cannot use (missing or malformed fields, unknown status, a
 * sender that is not a Kenyan mobile) answer 200 too, not 400: AT retries every non-2xx answer
 * and a broken body stays broken. They are recorded as `rejected:<kind>:<hash>` with the reason
 * and their field names, for ops. Only our own failure to record (database down) answers 5xx,
 * on purpose: that is worth AT's retry.
 */
@ApiExcludeController()
@Controller('sms')
export class SmsWebhookController {
  private readonly logger = new Logger(SmsWebhookController.name);

  constructor(
    private readonly config: AppConfig,
    private readonly signals: RuntimeSignals,
    private readonly clock: Clock,
    private readonly ledger: SmsEventLedger,
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
    await this.signals.transaction(async (tx) => {
      if (!parsed.ok) {
        await this.ledger.recordRejected(
          tx,
          'inbound',
          parsed.reason,
          body,
          req.rawBody,
          parsed.id,
        );
        return;
      }
      const sms = parsed.value;
      const fresh = await this.ledger.recordMessage(tx, sms, this.clock.now());
      this.logger.log({
        msg: 'sms inbound',
        smsId: sms.id,
        from: maskPhone(sms.from),
        fromHash: hashPhone(sms.from),
        length: sms.text.length,
        result: fresh ? 'queued' : 'duplicate',
      });
    });
    return { ok: true };
  }

  @Post('status/:secret')
  @HttpCode(200)
  async receiveStatus(
    @Param('secret') secret: string,
    @Req() req: RequestWithRawBody,
  ): Promise<{ ok: true }> {
    this.authenticate(secret, req);
    const body = storableJson(req.body);
    const parsed = parseDeliveryReport(body);
    await this.signals.transaction(async (tx) => {
      if (!parsed.ok) {
        await this.ledger.recordRejected(tx, 'status', parsed.reason, body, req.rawBody, parsed.id);
        return;
      }
      const report = parsed.value;
      const fresh = await this.ledger.recordReport(tx, report);
      this.logger.log({
        msg: 'sms delivery report',
        providerMessageId: report.id,
        status: report.status,
        result: fresh ? 'queued' : 'duplicate',
      });
    });
    return { ok: true };
  }

  private authenticate(secret: string, req: RequestWithRawBody): void {
    if (!secretsMatch(secret, this.config.sms.webhookSecret)) {
      throw new NotFoundException(`Cannot ${req.method} ${req.originalUrl}`);
    }
  }
}
