import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INVOICE_STATES, type InvoiceState } from '../../machines/invoice.machine';

export class InvoiceResponse {
  @ApiProperty({ format: 'uuid', example: '6f1c9a52-0d7e-4c1b-9a7e-2b1f3c4d5e6f' })
  id!: string;

  @ApiProperty({ example: 'INV-7KQ2MX' })
  ref!: string;

  @ApiProperty({ enum: INVOICE_STATES, example: 'READY' })
  status!: InvoiceState;

  @ApiProperty({ example: 1500 })
  amount!: number;

  @ApiProperty({ example: 0 })
  amountPaid!: number;

  @ApiProperty({ example: 1500 })
  balance!: number;

  @ApiProperty({ example: 'KES' })
  currency!: 'KES';

  @ApiProperty({ example: 'Logo design' })
  description!: string;

  @ApiProperty({ example: '+254712345678' })
  customerPhone!: string;

  @ApiPropertyOptional({ example: 'Jane Wanjiku', nullable: true, type: String })
  customerName!: string | null;

  @ApiPropertyOptional({ example: '2026-12-31', nullable: true, type: String, format: 'date' })
  dueDate!: string | null;

  @ApiProperty({ example: 'https://pay.invoiceiq.co.ke/pay/3q2-7wX…' })
  payUrl!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-26T08:00:00.000Z' })
  createdAt!: string;
}

export class InvoicePage {
  @ApiProperty({ type: [InvoiceResponse] })
  items!: InvoiceResponse[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}
