import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Dedupe ledger for webhooks and callbacks: (provider, external id) is unique. SMS and WhatsApp
 * events also carry their retry state (runtime/inbound-retries.ts).
 */
@Entity({ name: 'inbound_events' })
export class InboundEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) provider!: string;
  @Column({ name: 'external_id', type: 'text' }) externalId!: string;
  @Column({ type: 'jsonb', nullable: true }) payload!: unknown;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true }) processedAt!: Date | null;
  /** Handler runs so far. */
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  /** When a sweeper may try again; while a run is in flight, the end of its lease. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;
  /** Type of the last failure (never its message). */
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  /** Out of attempts, or never handleable: listed by GET /admin/inbound-events. */
  @Column({ name: 'dead_at', type: 'timestamptz', nullable: true }) deadAt!: Date | null;
}
