import {
  Body,
  Controller,
  Get,
  Header,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { PAY_PAGE_CSS, PAY_PAGE_JS } from './pay-page.assets';
import { renderNotFoundPage, renderPayPage } from './pay-page.render';
import { type PayContext, PayPageService } from './pay-page.service';
import { PayRequestDto } from './pay-request.dto';
import { maskPhoneForList } from '../common/i18n/format';
import { renderReceiptPdf } from './receipt-pdf';
import { Clock } from '../runtime/clock';

const wantsJson = (req: Request) => (req.headers.accept ?? '').includes('application/json');

/**
 * The customer's pay page. Opened only by its unguessable token (never by ref), rate-limited,
 * server-rendered, with a small script for live progress.
 */
@ApiTags('pay page')
@Controller()
@UseGuards(ThrottlerGuard)
export class PayPageController {
  constructor(
    private readonly pages: PayPageService,
    private readonly clock: Clock,
  ) {}

  @Get('assets/pay.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  @ApiExcludeEndpoint()
  css(): string {
    return PAY_PAGE_CSS;
  }

  @Get('assets/pay.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  @ApiExcludeEndpoint()
  js(): string {
    return PAY_PAGE_JS;
  }

  @Get('pay/:token')
  @ApiOperation({
    summary:
      'The pay page (HTML) for an invoice, by its pay token. ?lang=en|sw overrides the merchant language.',
  })
  async page(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const context = await this.pages.find(token);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!context) {
      res
        .status(HttpStatus.NOT_FOUND)
        .type('html')
        .send(renderNotFoundPage(lang === 'sw' ? 'sw' : 'en'));
      return;
    }
    const locale = this.pages.locale(lang, context.merchant);
    res.type('html').send(renderPayPage(await this.pages.view(context, locale)));
  }

  @Post('pay/:token/pay')
  @Throttle({ default: { limit: 10, ttl: 60_000 } })
  @ApiOperation({
    summary: 'Start an M-PESA STK push for this invoice to the given phone (JSON or form post).',
  })
  async pay(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Body() body: PayRequestDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const context = await this.pages.find(token);
    if (!context) {
      res
        .status(HttpStatus.NOT_FOUND)
        .json({ statusCode: 404, error: 'Not Found', message: 'Invoice not found' });
      return;
    }
    const locale = this.pages.locale(lang, context.merchant);
    const attempt = await this.pages.pay(
      context,
      { phone: body.phone, amount: body.amount },
      locale,
    );
    if (wantsJson(req)) {
      if (attempt.ok)
        res.status(HttpStatus.ACCEPTED).json({ paymentId: attempt.paymentId, status: 'started' });
      else
        res
          .status(attempt.status)
          .json({ statusCode: attempt.status, code: attempt.code, message: attempt.message });
      return;
    }
    // Without JavaScript: show the page again with the outcome, refreshing while the push is open.
    const view = await this.pages.view(context, locale);
    if (!attempt.ok) view.notice = { kind: 'error', message: attempt.message };
    res
      .status(attempt.ok ? HttpStatus.OK : attempt.status)
      .type('html')
      .send(renderPayPage(view));
  }

  @Get('pay/:token/status')
  @Throttle({ default: { limit: 120, ttl: 60_000 } })
  @ApiOperation({
    summary: 'Live state of the invoice and its latest payment, for the page to poll.',
  })
  async status(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const context = await this.pages.find(token);
    res.setHeader('Cache-Control', 'no-store');
    if (!context) {
      res
        .status(HttpStatus.NOT_FOUND)
        .json({ statusCode: 404, error: 'Not Found', message: 'Invoice not found' });
      return;
    }
    res.json(await this.pages.status(context, this.pages.locale(lang, context.merchant)));
  }

  @Get('pay/:token/receipt.pdf')
  @ApiOperation({ summary: 'PDF receipt of the payments made on this invoice.' })
  async receipt(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const context = await this.pages.find(token);
    const payments = context ? await this.pages.receipts(context.invoice.id) : [];
    if (!context || payments.length === 0) {
      res
        .status(HttpStatus.NOT_FOUND)
        .json({ statusCode: 404, error: 'Not Found', message: 'No receipt for this invoice yet' });
      return;
    }
    const pdf = await this.receiptPdf(context, payments, this.pages.locale(lang, context.merchant));
    res
      .status(HttpStatus.OK)
      .setHeader('Cache-Control', 'no-store')
      .type('application/pdf')
      .setHeader('Content-Disposition', `inline; filename="receipt-${context.invoice.ref}.pdf"`)
      .send(pdf);
  }

  private receiptPdf(
    context: PayContext,
    payments: { amount: number; receipt: string | null; completedAt: Date }[],
    locale: 'en' | 'sw',
  ): Promise<Buffer> {
    const { invoice, merchant } = context;
    return renderReceiptPdf({
      locale,
      merchantName: merchant.displayName,
      ref: invoice.ref,
      description: invoice.description,
      customerName: invoice.customerName,
      customerPhoneMasked: maskPhoneForList(invoice.customerPhone),
      amount: invoice.amount,
      amountPaid: invoice.amountPaid,
      balance: invoice.balance,
      payments,
      issuedAt: this.clock.now(),
    });
  }
}
