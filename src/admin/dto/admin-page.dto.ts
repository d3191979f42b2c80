import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const ADMIN_DEFAULT_PAGE = 50;
export const ADMIN_MAX_PAGE = 200;
const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${ADMIN_MAX_PAGE}`;

/** Keyset paging shared by the admin lists. */
export class AdminPageParams {
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
