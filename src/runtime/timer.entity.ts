import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type TimerStatus = 'pending' | 'firing' | 'fired' | 'cancelled';

@Entity({ name: 'timers' })
export class TimerRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) key!: string;
  @Column({ name: 'machine_kind', type: 'text' }) machineKind!: string;
  @Column({ name: 'entity_id', type: 'text' }) entityId!: string;
  @Column({ type: 'jsonb' }) event!: Record<string, unknown>;
  @Column({ name: 'due_at', type: 'timestamptz' }) dueAt!: Date;
  @Column({ type: 'text' }) status!: TimerStatus;
  @Column({ type: 'integer' }) attempts!: number;
  @Column({ name: 'claim_expires_at', type: 'timestamptz', nullable: true })
  claimExpiresAt!: Date | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'fired_at', type: 'timestamptz', nullable: true }) firedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
