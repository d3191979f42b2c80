import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type PaymentStatus = 'initiating' | 'pending' | 'succeeded' | 'failed' | 'review';

@Entity({ name: 'payments' })
export class Payment {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'invoice_id', type: 'uuid' }) invoiceId!: string;
  @Column({ type: 'integer' }) attempt!: number;
  /** E.164 of the phone the STK prompt goes to. */
  @Column({ type: 'text' }) phone!: string;
  @Column({ type: 'integer' }) amount!: number;
  @Column({ name: 'merchant_request_id', type: 'text', nullable: true }) merchantRequestId!:
    string | null;
  @Column({ name: 'checkout_request_id', type: 'text', nullable: true }) checkoutRequestId!:
    string | null;
  @Column({ type: 'text', default: 'initiating' }) status!: PaymentStatus;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  @Column({ name: 'result_code', type: 'integer', nullable: true }) resultCode!: number | null;
  @Column({ name: 'result_desc', type: 'text', nullable: true }) resultDesc!: string | null;
  @Column({ name: 'mpesa_receipt', type: 'text', nullable: true }) mpesaReceipt!: string | null;
  @Column({ name: 'paid_amount', type: 'integer', nullable: true }) paidAmount!: number | null;
  @Column({ name: 'flagged_reason', type: 'text', nullable: true }) flaggedReason!: string | null;
  @Column({ name: 'review_decision', type: 'text', nullable: true }) reviewDecision!:
    'accepted' | 'rejected' | null;
  @Column({ name: 'review_note', type: 'text', nullable: true }) reviewNote!: string | null;
  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true }) reviewedAt!: Date | null;
  @Column({ name: 'query_attempts', type: 'integer', default: 0 }) queryAttempts!: number;
  @Column({ name: 'initiated_at', type: 'timestamptz' }) initiatedAt!: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
  @Column({ name: 'push_started_at', type: 'timestamptz', nullable: true })
  pushStartedAt!: Date | null;
  @Column({ name: 'matched_by', type: 'text', nullable: true }) matchedBy!: string | null;
  @Column({ name: 'review_event_id', type: 'bigint', nullable: true }) reviewEventId!:
    string | null;
  @Column({ name: 'overpaid_amount', type: 'integer', nullable: true }) overpaidAmount!:
    number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
