import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Dedupe ledger for webhooks and callbacks: (provider, external id) is unique. */
@Entity({ name: 'inbound_events' })
export class InboundEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) provider!: string;
  @Column({ name: 'external_id', type: 'text' }) externalId!: string;
  @Column({ type: 'jsonb', nullable: true }) payload!: unknown;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true }) processedAt!: Date | null;
}
