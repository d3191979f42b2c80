import { AdminPageParams } from './admin-page.dto';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { INVOICE_STATES, type InvoiceState } from '../../machines/invoice.machine';

export { ADMIN_DEFAULT_PAGE, ADMIN_MAX_PAGE } from './admin-page.dto';

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class ListAdminInvoicesParams extends AdminPageParams {
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
}
