import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AdminAuthGuard } from '../admin/admin-auth.guard';
import { parsePeriod } from './stats-period';
import { StatsSummaryQuery } from './stats-summary.query';
import { type StatsSummary, StatsSummaryService } from './stats-summary.service';

@ApiTags('admin')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or wrong admin key' })
@UseGuards(AdminAuthGuard)
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsSummaryService) {}

  @Get('summary')
  @ApiOperation({
    summary: 'Operations summary of the invoices created in a period, for one or all merchants',
  })
  @ApiBadRequestResponse({ description: 'merchant is not a UUID, or from/to are not dates' })
  summary(@Query() query: StatsSummaryQuery): Promise<StatsSummary> {
    return this.stats.summary({ merchantId: query.merchant, ...parsePeriod(query.from, query.to) });
  }
}
