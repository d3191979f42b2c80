import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound events (SMS and WhatsApp webhooks) that keep failing end visibly dead instead of waiting
 * for ever:
 * - attempts: handler runs so far (the webhook's own run included);
 * - next_attempt_at: when a sweeper may try again; while a run is in flight, the end of its lease;
 * - last_error: the type of the last failure (never its message: it may quote the customer's text);
 * - dead_at: set when the attempts ran out (or an event could never be handled); listed by
 *   GET /admin/inbound-events and counted in invoiceiq_inbound_events{status="dead"}.
 * STK callbacks (provider 'mpesa') and the internal ledgers never use them.
 */
export class InboundEventAttempts1796318267469 implements MigrationInterface {
  name = 'InboundEventAttempts1796318267469';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE inbound_events
        ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        ADD COLUMN next_attempt_at timestamptz,
        ADD COLUMN last_error text,
        ADD COLUMN dead_at timestamptz`);
    await queryRunner.query(`
      CREATE INDEX inbound_events_dead_idx ON inbound_events (id)
       WHERE dead_at IS NOT NULL AND processed_at IS NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX inbound_events_dead_idx`);
    await queryRunner.query(`
      ALTER TABLE inbound_events
        DROP COLUMN dead_at,
        DROP COLUMN last_error,
        DROP COLUMN next_attempt_at,
        DROP COLUMN attempts`);
  }
}
