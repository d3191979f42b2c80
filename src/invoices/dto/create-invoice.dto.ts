import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { MAX_AMOUNT, MIN_AMOUNT } from '../../common/money';
import { IsKenyanMobile } from './is-kenyan-mobile.validator';

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class CreateInvoiceDto {
  @ApiProperty({
    description:
      'Customer M-PESA number. 0712345678, 712345678, 254712345678 or +254712345678 (07XX and 01XX).',
    example: '0712345678',
  })
  @IsKenyanMobile()
  customerPhone!: string;

  @ApiPropertyOptional({
    description: 'Saved in the address book the first time this number is invoiced.',
    example: 'Jane Wanjiku',
    minLength: 1,
    maxLength: 100,
  })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'customerName must be text' })
  @Length(1, 100, { message: 'customerName must be 1 to 100 characters' })
  customerName?: string;

  @ApiProperty({
    description: 'Whole Kenyan shillings (M-PESA takes no cents), 1 to 250,000.',
    example: 1500,
    minimum: MIN_AMOUNT,
    maximum: MAX_AMOUNT,
  })
  @IsInt({ message: 'amount must be a whole number of Kenyan shillings, e.g. 1500' })
  @Min(MIN_AMOUNT, { message: `amount must be at least KES ${MIN_AMOUNT}` })
  @Max(MAX_AMOUNT, {
    message: `amount must be at most KES 250,000, the M-PESA limit for one payment`,
  })
  amount!: number;

  @ApiProperty({
    description: 'What the invoice is for.',
    example: 'Logo design',
    minLength: 3,
    maxLength: 120,
  })
  @Transform(trim)
  @IsString({ message: 'description must be text, e.g. "Logo design"' })
  @Length(3, 120, { message: 'description must be 3 to 120 characters, e.g. "Logo design"' })
  description!: string;

  @ApiPropertyOptional({
    description: 'Calendar date (Africa/Nairobi), today or later.',
    example: '2026-12-31',
    format: 'date',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, {
    message: 'dueDate must be a date like 2026-12-31 (YYYY-MM-DD)',
  })
  @IsISO8601({ strict: true }, { message: 'dueDate must be a real calendar date, e.g. 2026-12-31' })
  dueDate?: string;
}
