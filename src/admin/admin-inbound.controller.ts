import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { AdminApi } from './admin-api.decorator';
import { type AdminInboundEvent, AdminInboundService } from './admin-inbound.service';
import { ListInboundEventsParams } from './dto/list-inbound-events.dto';

/** Inbound SMS and WhatsApp events that were acknowledged but never processed. */
@AdminApi()
@Controller('admin/inbound-events')
export class AdminInboundController {
  constructor(private readonly inbound: AdminInboundService) {}

  @Get()
  @ApiOperation({
    summary:
      'Inbound SMS and WhatsApp events not processed: dead (default) or pending, newest first, with attempts and last error',
  })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; the message names it' })
  list(
    @Query() query: ListInboundEventsParams,
  ): Promise<{ items: AdminInboundEvent[]; nextCursor: string | null }> {
    return this.inbound.list(query);
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Hand a dead or pending event to its handler again: due now, attempts reset to 0',
  })
  @ApiNotFoundResponse({ description: 'No SMS or WhatsApp inbound event has this id' })
  @ApiConflictResponse({ description: 'The event was processed already' })
  retry(@Param('id') id: string): Promise<AdminInboundEvent> {
    return this.inbound.retry(id);
  }
}
