import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import type { ReviewDecision } from '../../payments/payment-review.service';

const DECISIONS: ReviewDecision[] = ['accept', 'reject'];

/** An operator's decision on a payment held for review. */
export class SettleReviewBody {
  @ApiProperty({
    enum: DECISIONS,
    description:
      'accept: the amount M-PESA reported counts towards the invoice. reject: the attempt fails ' +
      'and the customer can pay again (reverse any money taken in the M-PESA portal).',
  })
  @IsIn(DECISIONS, { message: 'decision must be accept or reject' })
  decision!: ReviewDecision;

  @ApiProperty({
    minLength: 1,
    maxLength: 500,
    example: 'Merchant confirmed the customer paid 700 in cash-equivalent; balance stays open.',
    description: 'Why, for the audit trail (kept on the payment; never logged).',
  })
  @IsString({ message: 'note must be text' })
  @Length(1, 500, { message: 'note must be 1 to 500 characters' })
  note!: string;
}
