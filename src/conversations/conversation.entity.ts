import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

@Entity({ name: 'conversations' })
export class Conversation {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) channel!: 'whatsapp' | 'sms';
  @Column({ name: 'peer_phone', type: 'text' }) peerPhone!: string;
  @Column({ name: 'merchant_id', type: 'uuid', nullable: true }) merchantId!: string | null;
  @Column({ name: 'machine_version', type: 'integer', default: 1 }) machineVersion!: number;
  @Column({ type: 'jsonb', nullable: true }) snapshot!: unknown;
  @Column({ type: 'text', default: 'IDLE' }) state!: string;
  @Column({ type: 'integer', default: 0 }) version!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
