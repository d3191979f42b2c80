import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { RETRIED_INBOUND_PROVIDERS } from '../../runtime/inbound-retries';
import { AdminPageParams } from './admin-page.dto';

export const INBOUND_EVENT_STATUSES = ['dead', 'pending'] as const;
export type InboundEventStatus = (typeof INBOUND_EVENT_STATUSES)[number];

export class ListInboundEventsParams extends AdminPageParams {
  @ApiPropertyOptional({
    enum: INBOUND_EVENT_STATUSES,
    default: 'dead',
    description: 'dead: out of attempts (or never handleable); pending: still to be handled',
  })
  @IsOptional()
  @IsIn(INBOUND_EVENT_STATUSES, {
    message: `status must be one of ${INBOUND_EVENT_STATUSES.join(', ')}`,
  })
  status?: InboundEventStatus;

  @ApiPropertyOptional({ enum: RETRIED_INBOUND_PROVIDERS, example: 'africastalking' })
  @IsOptional()
  @IsIn(RETRIED_INBOUND_PROVIDERS, {
    message: `provider must be one of ${RETRIED_INBOUND_PROVIDERS.join(', ')}`,
  })
  provider?: (typeof RETRIED_INBOUND_PROVIDERS)[number];
}
