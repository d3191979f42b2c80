import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { AdminApi } from './admin-api.decorator';
import {
  type AdminInvoiceItem,
  type AdminInvoicePage,
  AdminInvoicesService,
} from './admin-invoices.service';
import { AdminTimelineService, type InvoiceTimeline } from './admin-timeline.service';
import { ListAdminInvoicesParams } from './dto/list-admin-invoices.dto';

@AdminApi()
@Controller('admin/invoices')
export class AdminInvoicesController {
  constructor(
    private readonly invoices: AdminInvoicesService,
    private readonly timelines: AdminTimelineService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Invoices of all merchants, newest first (keyset pages; phones masked)',
  })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; the message names it' })
  list(@Query() query: ListAdminInvoicesParams): Promise<AdminInvoicePage> {
    return this.invoices.list(query);
  }

  @Get(':ref')
  @ApiOperation({
    summary:
      'One invoice with its whole timeline: machine transitions, messages, payment attempts, timers',
  })
  @ApiNotFoundResponse({ description: 'No invoice has this ref' })
  timeline(@Param('ref') ref: string): Promise<InvoiceTimeline> {
    return this.timelines.forRef(ref);
  }

  @Post(':ref/resend')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Send the invoice to the customer again (invoice machine REMIND)' })
  @ApiNotFoundResponse({ description: 'No invoice has this ref' })
  @ApiConflictResponse({ description: 'The invoice’s state takes no reminder; reason given' })
  resend(@Param('ref') ref: string): Promise<AdminInvoiceItem> {
    return this.invoices.resend(ref);
  }

  @Post(':ref/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel the invoice (invoice machine CANCEL by admin)' })
  @ApiNotFoundResponse({ description: 'No invoice has this ref' })
  @ApiConflictResponse({ description: 'Not cancellable in its state (paid, paying, cancelled)' })
  cancel(@Param('ref') ref: string): Promise<AdminInvoiceItem> {
    return this.invoices.cancel(ref);
  }
}
