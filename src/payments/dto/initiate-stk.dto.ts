import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MAX_AMOUNT, MIN_AMOUNT } from '../../common/money';
import { IsKenyanMobile } from '../../invoices/dto/is-kenyan-mobile.validator';

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class InitiateStkDto {
  @ApiProperty({ description: 'One of your invoices.', example: 'INV-7KQ2MX' })
  @Transform(trim)
  @IsString({ message: 'invoiceRef must be text, e.g. INV-7KQ2MX' })
  @Length(1, 40, { message: 'invoiceRef must be an invoice ref such as INV-7KQ2MX' })
  invoiceRef!: string;

  @ApiPropertyOptional({
    description: "M-PESA number to prompt; the invoice's customer number when omitted.",
    example: '0712345678',
  })
  @IsOptional()
  @IsKenyanMobile()
  phone?: string;

  @ApiPropertyOptional({
    description: 'Whole shillings to ask for (a part payment); the balance when omitted.',
    example: 400,
    minimum: MIN_AMOUNT,
    maximum: MAX_AMOUNT,
  })
  @IsOptional()
  @IsInt({ message: 'amount must be a whole number of Kenyan shillings, e.g. 400' })
  @Min(MIN_AMOUNT, { message: `amount must be at least KES ${MIN_AMOUNT}` })
  @Max(MAX_AMOUNT, { message: 'amount must be at most KES 250,000, the M-PESA limit' })
  amount?: number;
}
