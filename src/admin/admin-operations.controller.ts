import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { ReconciliationService, type DriftRow } from '../payments/reconciliation.service';
import { AdminApi } from './admin-api.decorator';
import { type AdminOutboxItem, AdminOutboxService } from './admin-outbox.service';
import { AdminPaymentsService, type RequeryResponse } from './admin-payments.service';
import { ListOutboxQuery } from './dto/list-outbox.query';

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
    @Query() query: ListOutboxQuery,
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

  @Get('reconciliation')
  @ApiOperation({ summary: 'Payments that drifted from M-PESA, with suggested actions' })
  async drift(): Promise<{ items: DriftRow[] }> {
    return { items: await this.reconciliation.findDrift() };
  }
}
