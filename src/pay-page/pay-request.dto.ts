import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** The phone is checked by the service, which answers in the customer's language. */
export class PayRequestDto {
  @ApiProperty({ example: '0712 345 678' })
  @IsString()
  @MaxLength(32)
  phone!: string;

  @ApiPropertyOptional({ example: 1500, description: 'Whole shillings; defaults to the balance' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(250_000)
  amount?: number;
}
