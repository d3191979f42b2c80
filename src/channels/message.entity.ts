import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';
export type MessageKind = 'template' | 'text' | 'buttons' | 'list' | 'cta' | 'document' | 'sms';

/** Metadata of one message on one channel. Bodies are never stored. */
@Entity({ name: 'messages' })
export class Message {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) direction!: 'inbound' | 'outbound';
  @Column({ type: 'text' }) channel!: 'whatsapp' | 'sms';
  @Column({ name: 'provider_message_id', type: 'text', nullable: true }) providerMessageId!:
    string | null;
  /** Groups the WhatsApp attempt and its SMS fallback of one logical message. */
  @Column({ name: 'logical_id', type: 'uuid', nullable: true }) logicalId!: string | null;
  @Column({ name: 'invoice_id', type: 'uuid', nullable: true }) invoiceId!: string | null;
  @Column({ name: 'conversation_id', type: 'uuid', nullable: true }) conversationId!: string | null;
  @Column({ type: 'text', nullable: true }) recipient!: string | null;
  @Column({ type: 'text', nullable: true }) purpose!: string | null;
  @Column({ type: 'text' }) kind!: MessageKind;
  @Column({ type: 'text', default: 'queued' }) status!: MessageStatus;
  @Column({ name: 'queued_at', type: 'timestamptz' }) queuedAt!: Date;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
  @Column({ name: 'read_at', type: 'timestamptz', nullable: true }) readAt!: Date | null;
  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true }) failedAt!: Date | null;
  @Column({ name: 'error_code', type: 'text', nullable: true }) errorCode!: string | null;
  @Column({ name: 'error_title', type: 'text', nullable: true }) errorTitle!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
