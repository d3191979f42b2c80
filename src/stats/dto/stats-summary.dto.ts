import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsUUID } from 'class-validator';

/** Filters of GET /stats/summary: a cohort of invoices by merchant and creation time. */
export class StatsSummaryParams {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only this merchant; all merchants if absent.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'merchant must be a merchant id (UUID)' })
  merchant?: string;

  @ApiPropertyOptional({
    description: 'Invoices created at or after this instant or date (ISO 8601).',
    example: '2026-11-01',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or date-time' })
  from?: string;

  @ApiPropertyOptional({
    description: 'Invoices created before this instant or date (ISO 8601, exclusive).',
    example: '2026-12-01',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or date-time' })
  to?: string;
}
