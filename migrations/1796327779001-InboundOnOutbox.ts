import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound provider events now reach their consumers through the outbox ('inbound.<provider>'
 * rows, written with the ledger row by the webhook). Events left open by the previous version
 * (handling failed, or cut short) get their outbox row here, so the upgrade drops none of them.
 * Down removes only those rows still waiting: the previous version's replay job and sweeper
 * pick the open ledger rows up again by themselves.
 */
export class InboundOnOutbox1796327779001 implements MigrationInterface {
  name = 'InboundOnOutbox1796327779001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO outbox (kind, payload, idempotency_key, max_attempts, next_attempt_at, created_at, updated_at)
      SELECT 'inbound.' || provider, jsonb_build_object('inboundEventId', id::text),
             'inbound:' || provider || ':' || id, 8, now(), now(), now()
        FROM inbound_events
       WHERE provider IN ('whatsapp', 'africastalking')
         AND processed_at IS NULL AND dead_at IS NULL
         AND external_id NOT LIKE 'rejected:%'
      ON CONFLICT (idempotency_key) DO NOTHING`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM outbox
       WHERE kind IN ('inbound.whatsapp', 'inbound.africastalking') AND status = 'pending'`);
  }
}
