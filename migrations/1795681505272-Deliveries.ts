import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per logical outbound message (an invoice to a customer, a receipt, a notice to a
 * merchant, a bot reply), carrying the durable 'delivery' machine that decides WhatsApp first,
 * SMS fallback. The `messages` rows of each attempt point back here through `logical_id`.
 */
export class Deliveries1795681505272 implements MigrationInterface {
  name = 'Deliveries1795681505272';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idempotency_key text NOT NULL,
        purpose text NOT NULL CHECK (char_length(purpose) BETWEEN 1 AND 60),
        recipient text NOT NULL CHECK (recipient ~ '^\\+254[17][0-9]{8}$'),
        invoice_id uuid REFERENCES invoices(id) ON DELETE SET NULL,
        conversation_id uuid,
        channel_policy text NOT NULL CHECK (channel_policy IN ('auto', 'whatsapp', 'sms')),
        payload jsonb NOT NULL,
        delivered_via text CHECK (delivered_via IS NULL OR delivered_via IN ('whatsapp', 'sms')),
        machine_version integer NOT NULL DEFAULT 1,
        snapshot jsonb,
        state text NOT NULL DEFAULT 'ROUTING',
        version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT deliveries_idempotency_key_key UNIQUE (idempotency_key)
      )`);
    await queryRunner.query(
      `CREATE INDEX deliveries_invoice_idx ON deliveries (invoice_id, created_at) WHERE invoice_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_state_updated_idx ON deliveries (state, updated_at)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE deliveries`);
  }
}
