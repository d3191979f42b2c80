import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

@Entity({ name: 'customers' })
export class Customer {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'merchant_id', type: 'uuid' }) merchantId!: string;
  @Column({ type: 'text', nullable: true }) name!: string | null;
  /** E.164. */
  @Column({ type: 'text' }) phone!: string;
  /** Opens WhatsApp's 24-hour customer-service window. */
  @Column({ name: 'last_inbound_at', type: 'timestamptz', nullable: true })
  lastInboundAt!: Date | null;
  /** Set by the customer's STOP: no reminders from this merchant. */
  @Column({ name: 'opted_out_at', type: 'timestamptz', nullable: true }) optedOutAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
