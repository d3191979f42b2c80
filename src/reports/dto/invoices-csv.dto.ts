import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { INVOICE_STATES, type InvoiceState } from '../../machines/invoice.machine';

/** Filters of GET /admin/invoices.csv: those of the admin invoice list, plus `pii`. */
export class InvoicesCsvParams {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'merchant must be a merchant id (UUID)' })
  merchant?: string;

  @ApiPropertyOptional({ enum: INVOICE_STATES })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toUpperCase() : value,
  )
  @IsIn(INVOICE_STATES, { message: `status must be one of ${INVOICE_STATES.join(', ')}` })
  status?: InvoiceState;

  @ApiPropertyOptional({ description: 'Created at or after (ISO 8601).', example: '2026-11-01' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'Created before (ISO 8601, exclusive).' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or date-time' })
  to?: string;

  @ApiPropertyOptional({
    description: 'Ref prefix (INV-7K…) or customer name prefix, as in the admin list.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100, { message: 'q must be 1 to 100 characters' })
  q?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'true: raw customer phones instead of masked ones. Every such export is logged.',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'pii must be true or false' })
  pii?: 'true' | 'false';
}
