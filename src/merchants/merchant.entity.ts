import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Locale } from '../config/app-config';

@Entity({ name: 'merchants' })
export class Merchant {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'display_name', type: 'text' }) displayName!: string;
  /** E.164, e.g. +254712345678. */
  @Column({ name: 'whatsapp_phone', type: 'text' }) whatsappPhone!: string;
  @Column({ type: 'text', default: 'en' }) locale!: Locale;
  @Column({ type: 'jsonb', default: {} }) settlement!: Record<string, unknown>;
  @Column({ name: 'api_key_hash', type: 'text', nullable: true }) apiKeyHash!: string | null;
  @Column({ name: 'api_key_prefix', type: 'text', nullable: true }) apiKeyPrefix!: string | null;
  @Column({ name: 'allow_partial_payments', type: 'boolean', default: true })
  allowPartialPayments!: boolean;
  @Column({ name: 'reminder_settings', type: 'jsonb', nullable: true })
  reminderSettings!: Record<string, unknown> | null;
  @Column({ name: 'last_inbound_at', type: 'timestamptz', nullable: true })
  lastInboundAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
