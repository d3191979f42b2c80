import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { ADMIN_DEFAULT_PAGE, ADMIN_MAX_PAGE } from './list-admin-invoices.query';

export const OUTBOX_STATUSES = ['pending', 'running', 'done', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${ADMIN_MAX_PAGE}`;

export class ListOutboxQuery {
  @ApiPropertyOptional({ enum: OUTBOX_STATUSES, example: 'dead' })
  @IsOptional()
  @IsIn(OUTBOX_STATUSES, { message: `status must be one of ${OUTBOX_STATUSES.join(', ')}` })
  status?: OutboxStatus;

  @ApiPropertyOptional({ example: 'whatsapp.send' })
  @IsOptional()
  @IsString({ message: 'kind must be text' })
  @Length(1, 100, { message: 'kind must be 1 to 100 characters' })
  kind?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString({ message: 'cursor must be the nextCursor of the previous page' })
  @MaxLength(100, { message: 'cursor must be the nextCursor of the previous page' })
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: ADMIN_MAX_PAGE, default: ADMIN_DEFAULT_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(ADMIN_MAX_PAGE, { message: LIMIT_MESSAGE })
  limit?: number;
}
