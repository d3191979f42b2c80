import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { INVOICE_STATES, type InvoiceState } from '../../machines/invoice.machine';

export const ADMIN_DEFAULT_PAGE = 50;
export const ADMIN_MAX_PAGE = 200;
const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${ADMIN_MAX_PAGE}`;

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class ListAdminInvoicesQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this merchant’s invoices.' })
  @IsOptional()
  @IsUUID('all', { message: 'merchant must be a merchant id (uuid)' })
  merchant?: string;

  @ApiPropertyOptional({ enum: INVOICE_STATES, example: 'SENT' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toUpperCase() : value,
  )
  @IsIn(INVOICE_STATES, { message: `status must be one of ${INVOICE_STATES.join(', ')}` })
  status?: InvoiceState;

  @ApiPropertyOptional({ description: 'Created at or after (ISO 8601).', example: '2026-01-01' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date, e.g. 2026-01-31' })
  from?: string;

  @ApiPropertyOptional({ description: 'Created before (ISO 8601).', example: '2026-02-01' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date, e.g. 2026-01-31' })
  to?: string;

  @ApiPropertyOptional({ description: 'Ref prefix (INV-7K…) or customer name prefix.' })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'q must be text' })
  @Length(1, 100, { message: 'q must be 1 to 100 characters' })
  q?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString({ message: 'cursor must be the nextCursor of the previous page' })
  @MaxLength(200, { message: 'cursor must be the nextCursor of the previous page' })
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: ADMIN_MAX_PAGE, default: ADMIN_DEFAULT_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(ADMIN_MAX_PAGE, { message: LIMIT_MESSAGE })
  limit?: number;
}
