import { AdminPageParams } from './admin-page.dto';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';

export const OUTBOX_STATUSES = ['pending', 'running', 'done', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export class ListOutboxParams extends AdminPageParams {
  @ApiPropertyOptional({ enum: OUTBOX_STATUSES, example: 'dead' })
  @IsOptional()
  @IsIn(OUTBOX_STATUSES, { message: `status must be one of ${OUTBOX_STATUSES.join(', ')}` })
  status?: OutboxStatus;

  @ApiPropertyOptional({ example: 'whatsapp.send' })
  @IsOptional()
  @IsString({ message: 'kind must be text' })
  @Length(1, 100, { message: 'kind must be 1 to 100 characters' })
  kind?: string;
}
