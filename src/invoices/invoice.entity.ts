import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export interface LineItem {
  description: string;
  quantity: number;
  unitPrice: number;
}

@Entity({ name: 'invoices' })
export class Invoice {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** Public reference shown to people, e.g. INV-7KQ2MX. */
  @Column({ type: 'text' }) ref!: string;
  @Column({ name: 'merchant_id', type: 'uuid' }) merchantId!: string;
  @Column({ name: 'customer_id', type: 'uuid' }) customerId!: string;
  @Column({ name: 'customer_phone', type: 'text' }) customerPhone!: string;
  /** Whole Kenyan shillings. */
  @Column({ type: 'integer' }) amount!: number;
  @Column({ name: 'amount_paid', type: 'integer', default: 0 }) amountPaid!: number;
  @Column({ type: 'text', default: 'KES' }) currency!: 'KES';
  @Column({ type: 'text' }) description!: string;
  @Column({ name: 'line_items', type: 'jsonb', nullable: true }) lineItems!: LineItem[] | null;
  @Column({ name: 'due_date', type: 'date', nullable: true }) dueDate!: string | null;
  @Column({ name: 'pay_token', type: 'text' }) payToken!: string;
  @Column({ name: 'idempotency_key', type: 'text', nullable: true }) idempotencyKey!: string | null;
  @Column({ name: 'request_hash', type: 'text', nullable: true }) requestHash!: string | null;
  @Column({ name: 'machine_version', type: 'integer', default: 1 }) machineVersion!: number;
  @Column({ type: 'jsonb', nullable: true }) snapshot!: unknown;
  @Column({ type: 'text', default: 'READY' }) state!: string;
  @Column({ type: 'integer', default: 0 }) version!: number;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true }) cancelledAt!: Date | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;

  get balance(): number {
    return Math.max(0, this.amount - this.amountPaid);
  }
}
