import { Controller, Get, Header, MessageEvent, Query, Sse } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { interval, map, merge, type Observable } from 'rxjs';
import { parseKenyanMobile } from '../../common/phone';
import { AppConfig } from '../../config/app-config';
import { DEMO_CUSTOMERS, DEMO_MERCHANT, DEMO_PIN } from './sandbox-demo';
import { type InvoiceTimeline, SandboxLiveService } from './sandbox-live.service';
import { SANDBOX_PAGE_CSS, SANDBOX_PAGE_HTML, SANDBOX_PAGE_JS } from './sandbox-page.assets';

/** The /sandbox page: the merchant's phone, the customer's phone, M-PESA, and the machines. */
@ApiExcludeController()
@Controller('sandbox')
export class SandboxPageController {
  constructor(
    private readonly live: SandboxLiveService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return SANDBOX_PAGE_HTML;
  }

  @Get('assets/sandbox.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return SANDBOX_PAGE_JS;
  }

  @Get('assets/sandbox.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  style(): string {
    return SANDBOX_PAGE_CSS;
  }

  @Get('api/cast')
  cast() {
    return {
      merchant: DEMO_MERCHANT,
      customers: DEMO_CUSTOMERS,
      pin: DEMO_PIN,
      demoSeeded: this.config.sandboxDemo,
    };
  }

  @Get('api/timeline')
  timeline(@Query('phone') phone: string | undefined): Promise<InvoiceTimeline> | InvoiceTimeline {
    const parsed = parseKenyanMobile(phone ?? '');
    if (!parsed.ok) return { invoice: null, transitions: [], outbox: [] };
    return this.live.timeline(parsed.phone);
  }

  @Sse('api/events')
  events(): Observable<MessageEvent> {
    const heartbeat = interval(15_000).pipe(map(() => ({ type: 'ping', data: {} })));
    return merge(this.live.events().pipe(map((e) => ({ type: e.type, data: e.data }))), heartbeat);
  }
}
