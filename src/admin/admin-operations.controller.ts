import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { ReconciliationService, type DriftRow } from '../payments/reconciliation.service';
import { AdminApi } from './admin-api.decorator';
import { type AdminOutboxItem, AdminOutboxService } from './admin-outbox.service';
import {
  type AdminPayment,
  AdminPaymentsService,
  type RequeryResponse,
} from './admin-payments.service';
import { SettleReviewBody } from './dto/settle-review.body';
import { ListOutboxParams } from './dto/list-outbox.dto';

/** The durable work queue, stuck payments and reconciliation. */
@AdminApi()
@Controller('admin')
export class AdminOperationsController {
  constructor(
    private readonly outbox: AdminOutboxService,
    private readonly payments: AdminPaymentsService,
    private readonly reconciliation: ReconciliationService,
  ) {}

  @Get('outbox')
  @ApiOperation({ summary: 'Outbox rows, newest first, with last error and age in seconds' })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; the message names it' })
  listOutbox(
    @Query() query: ListOutboxParams,
  ): Promise<{ items: AdminOutboxItem[]; nextCursor: string | null }> {
    return this.outbox.list(query);
  }

  @Post('outbox/:id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Queue a dead or pending row again: due now, attempts reset to 0',
  })
  @ApiNotFoundResponse({ description: 'No outbox row has this id' })
  @ApiConflictResponse({ description: 'The row is running or done' })
  retryOutbox(@Param('id') id: string): Promise<AdminOutboxItem> {
    return this.outbox.retry(id);
  }

  @Post('payments/:id/requery')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Ask M-PESA now (STK query); a final answer is applied exactly like a callback',
  })
  @ApiNotFoundResponse({ description: 'No payment has this id' })
  @ApiConflictResponse({ description: 'Already final, or M-PESA never acknowledged the push' })
  requery(@Param('id') id: string): Promise<RequeryResponse> {
    return this.payments.requery(id);
  }

  @Post('payments/:id/review')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Settle a payment held for review, or one that ended with an unknown M-PESA ResultCode',
    description:
      'Held for review: M-PESA confirmed another amount than asked (amount_review), or a success ' +
      'whose CheckoutRequestID was never stored matches several pushes (orphan_review). accept ' +
      'applies the reported amount to the invoice (PAID or PARTIALLY_PAID; an orphan success ' +
      'goes to one payment only); reject fails the attempt so the customer can pay again. Until ' +
      'settled, an open attempt holds its invoice in PAYMENT_INIT. A payment that ended with an ' +
      'unknown ResultCode (unknown_result) is settled the same way once checked in the M-PESA ' +
      'portal. GET /admin/reconciliation lists all of these.',
  })
  @ApiBadRequestResponse({ description: 'decision is not accept or reject, or note is missing' })
  @ApiNotFoundResponse({ description: 'No payment has this id' })
  @ApiConflictResponse({
    description:
      'The payment is not in review (or was settled already), its orphan success was accepted for another payment, or the invoice moved on',
  })
  settleReview(@Param('id') id: string, @Body() body: SettleReviewBody): Promise<AdminPayment> {
    return this.payments.settleReview(id, body.decision, body.note);
  }

  @Get('reconciliation')
  @ApiOperation({ summary: 'Payments that drifted from M-PESA, with suggested actions' })
  async drift(): Promise<{ items: DriftRow[] }> {
    return { items: await this.reconciliation.findDrift() };
  }
}
