import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A message cannot be unsent: as with an STK push, each channel's send is marked in its own
 * committed write right before the HTTP call. A send run that finds the mark and no recorded
 * answer (the process died mid-send, or the provider timed out) does not send again; the attempt
 * is recorded as accepted but unconfirmed, and the delivery's fallback covers a message that in
 * fact never arrived. Existing rows: nothing is in flight across a deploy worth guessing about.
 */
export class DeliverySendStarted1796321203393 implements MigrationInterface {
  name = 'DeliverySendStarted1796321203393';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE deliveries
        ADD COLUMN whatsapp_send_started_at timestamptz,
        ADD COLUMN sms_send_started_at timestamptz`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE deliveries
        DROP COLUMN sms_send_started_at,
        DROP COLUMN whatsapp_send_started_at`);
  }
}
