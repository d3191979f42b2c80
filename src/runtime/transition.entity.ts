import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One audit row per event applied to (or ignored by) a machine. */
@Entity({ name: 'transitions' })
export class Transition {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'machine_kind', type: 'text' }) machineKind!: string;
  @Column({ name: 'entity_id', type: 'text' }) entityId!: string;
  @Column({ name: 'from_state', type: 'text', nullable: true }) fromState!: string | null;
  @Column({ name: 'to_state', type: 'text', nullable: true }) toState!: string | null;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ type: 'text' }) source!: string;
  @Column({ type: 'boolean' }) accepted!: boolean;
  @Column({ type: 'integer', nullable: true }) version!: number | null;
  @Column({ type: 'timestamptz' }) at!: Date;
}
