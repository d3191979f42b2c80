import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApi } from '../admin/admin-api.decorator';
import { parsePeriod } from './stats-period';
import { StatsSummaryParams } from './dto/stats-summary.dto';
import { type StatsSummary, StatsSummaryService } from './stats-summary.service';

@AdminApi()
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsSummaryService) {}

  @Get('summary')
  @ApiOperation({
    summary: 'Operations summary of the invoices created in a period, for one or all merchants',
    description:
      'A cohort view: the invoices created in [from, to), then what happened to them. Exact for ' +
      'every filter: platform-wide periods read per-hour figures kept up to date in the ' +
      'background and count live whatever changed since (docs/PERFORMANCE.md).',
  })
  @ApiBadRequestResponse({ description: 'merchant is not a UUID, or from/to are not dates' })
  summary(@Query() query: StatsSummaryParams): Promise<StatsSummary> {
    return this.stats.summary({ merchantId: query.merchant, ...parsePeriod(query.from, query.to) });
  }
}
