import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { PaymentStatus } from '../payment.record';

const STATUSES: PaymentStatus[] = ['initiating', 'pending', 'succeeded', 'failed', 'review'];

export class StkInitiatedResponse {
  @ApiProperty({ format: 'uuid' })
  paymentId!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Null at first: the push is sent right after this answer. Read GET /payments/{paymentId}.',
  })
  checkoutRequestId!: string | null;

  @ApiProperty({ enum: STATUSES, example: 'initiating' })
  status!: PaymentStatus;

  @ApiProperty({ example: 1500 })
  amount!: number;
}

export class PaymentResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'INV-7KQ2MX' })
  invoiceRef!: string;

  @ApiProperty({ example: 1 })
  attempt!: number;

  @ApiProperty({ enum: STATUSES })
  status!: PaymentStatus;

  @ApiProperty({ example: 1500 })
  amount!: number;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'cancelled' })
  outcome!: string | null;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 1032 })
  resultCode!: number | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  checkoutRequestId!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'NLJ7RT61SV' })
  mpesaReceipt!: string | null;
}
