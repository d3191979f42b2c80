import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole data model of ARCHITECTURE.md §4. Phones are stored in E.164 (+2547XXXXXXXX);
 * money is whole Kenyan shillings. Machine-backed rows (conversations, invoices) carry the
 * snapshot, a denormalised state, a row version and the machine definition's version.
 */
export class InitialSchema1795678900000 implements MigrationInterface {
  name = 'InitialSchema1795678900000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE merchants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
        whatsapp_phone text NOT NULL CHECK (whatsapp_phone ~ '^\\+254[17][0-9]{8}$'),
        locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'sw')),
        settlement jsonb NOT NULL DEFAULT '{}'::jsonb,
        api_key_hash text,
        api_key_prefix text,
        allow_partial_payments boolean NOT NULL DEFAULT true,
        reminder_settings jsonb,
        last_inbound_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT merchants_whatsapp_phone_key UNIQUE (whatsapp_phone),
        CONSTRAINT merchants_api_key_hash_key UNIQUE (api_key_hash)
      )`);

    await queryRunner.query(`
      CREATE TABLE customers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        merchant_id uuid NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        name text CHECK (name IS NULL OR char_length(name) BETWEEN 1 AND 100),
        phone text NOT NULL,
        last_inbound_at timestamptz,
        opted_out_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT customers_merchant_phone_key UNIQUE (merchant_id, phone)
      )`);
    await queryRunner.query(
      `CREATE INDEX customers_merchant_name_idx ON customers (merchant_id, lower(name))`,
    );
    await queryRunner.query(`CREATE INDEX customers_phone_idx ON customers (phone)`);

    await queryRunner.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel text NOT NULL CHECK (channel IN ('whatsapp', 'sms')),
        peer_phone text NOT NULL,
        merchant_id uuid REFERENCES merchants(id) ON DELETE CASCADE,
        machine_version integer NOT NULL DEFAULT 1,
        snapshot jsonb,
        state text NOT NULL DEFAULT 'IDLE',
        version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT conversations_channel_peer_key UNIQUE (channel, peer_phone)
      )`);
    await queryRunner.query(
      `CREATE INDEX conversations_state_updated_idx ON conversations (state, updated_at)`,
    );

    await queryRunner.query(`
      CREATE TABLE invoices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ref text NOT NULL,
        merchant_id uuid NOT NULL REFERENCES merchants(id) ON DELETE RESTRICT,
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE RESTRICT,
        customer_phone text NOT NULL,
        amount integer NOT NULL CHECK (amount > 0),
        amount_paid integer NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
        currency text NOT NULL DEFAULT 'KES' CHECK (currency = 'KES'),
        description text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 500),
        line_items jsonb,
        due_date date,
        pay_token text NOT NULL,
        idempotency_key text,
        request_hash text,
        machine_version integer NOT NULL DEFAULT 1,
        snapshot jsonb,
        state text NOT NULL DEFAULT 'READY',
        version integer NOT NULL DEFAULT 0,
        sent_at timestamptz,
        paid_at timestamptz,
        cancelled_at timestamptz,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT invoices_ref_key UNIQUE (ref),
        CONSTRAINT invoices_pay_token_key UNIQUE (pay_token),
        CONSTRAINT invoices_merchant_idempotency_key UNIQUE (merchant_id, idempotency_key)
      )`);
    await queryRunner.query(
      `CREATE INDEX invoices_merchant_created_idx ON invoices (merchant_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX invoices_merchant_state_created_idx ON invoices (merchant_id, state, created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX invoices_created_idx ON invoices (created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX invoices_state_created_idx ON invoices (state, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`CREATE INDEX invoices_customer_idx ON invoices (customer_id)`);

    await queryRunner.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        invoice_id uuid NOT NULL REFERENCES invoices(id) ON DELETE RESTRICT,
        attempt integer NOT NULL CHECK (attempt >= 1),
        phone text NOT NULL,
        amount integer NOT NULL CHECK (amount BETWEEN 1 AND 250000),
        merchant_request_id text,
        checkout_request_id text,
        status text NOT NULL DEFAULT 'initiating'
          CHECK (status IN ('initiating', 'pending', 'succeeded', 'failed', 'review')),
        outcome text,
        result_code integer,
        result_desc text,
        mpesa_receipt text,
        paid_amount integer,
        flagged_reason text,
        query_attempts integer NOT NULL DEFAULT 0,
        initiated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payments_checkout_request_id_key UNIQUE (checkout_request_id),
        CONSTRAINT payments_mpesa_receipt_key UNIQUE (mpesa_receipt),
        CONSTRAINT payments_invoice_attempt_key UNIQUE (invoice_id, attempt)
      )`);
    // At most one push in flight per invoice: concurrent initiations collide here.
    await queryRunner.query(
      `CREATE UNIQUE INDEX payments_one_open_per_invoice ON payments (invoice_id) WHERE status IN ('initiating', 'pending')`,
    );
    await queryRunner.query(
      `CREATE INDEX payments_status_initiated_idx ON payments (status, initiated_at)`,
    );

    await queryRunner.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        channel text NOT NULL CHECK (channel IN ('whatsapp', 'sms')),
        provider_message_id text,
        logical_id uuid,
        invoice_id uuid REFERENCES invoices(id) ON DELETE SET NULL,
        conversation_id uuid REFERENCES conversations(id) ON DELETE SET NULL,
        recipient text,
        purpose text,
        kind text NOT NULL CHECK (kind IN ('template', 'text', 'buttons', 'list', 'cta', 'document', 'sms')),
        status text NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'sent', 'delivered', 'read', 'failed', 'received')),
        queued_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        delivered_at timestamptz,
        read_at timestamptz,
        failed_at timestamptz,
        error_code text,
        error_title text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_channel_provider_id_key UNIQUE (channel, provider_message_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX messages_invoice_idx ON messages (invoice_id, created_at)`,
    );
    await queryRunner.query(`CREATE INDEX messages_logical_idx ON messages (logical_id)`);
    await queryRunner.query(`CREATE INDEX messages_created_idx ON messages (created_at)`);

    await queryRunner.query(`
      CREATE TABLE inbound_events (
        id bigserial PRIMARY KEY,
        provider text NOT NULL,
        external_id text NOT NULL,
        payload jsonb,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT inbound_events_provider_external_key UNIQUE (provider, external_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX inbound_events_received_idx ON inbound_events (received_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX inbound_events_unprocessed_idx ON inbound_events (provider, received_at) WHERE processed_at IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE transitions (
        id bigserial PRIMARY KEY,
        machine_kind text NOT NULL,
        entity_id text NOT NULL,
        from_state text,
        to_state text,
        event_type text NOT NULL,
        source text NOT NULL,
        accepted boolean NOT NULL,
        version integer,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX transitions_entity_idx ON transitions (machine_kind, entity_id, id)`,
    );
    await queryRunner.query(`CREATE INDEX transitions_at_idx ON transitions (at)`);

    await queryRunner.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        idempotency_key text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL DEFAULT 8,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        claimed_by text,
        claim_expires_at timestamptz,
        last_error text,
        machine_kind text,
        entity_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT outbox_idempotency_key_key UNIQUE (idempotency_key)
      )`);
    await queryRunner.query(
      `CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX outbox_running_idx ON outbox (claim_expires_at) WHERE status = 'running'`,
    );
    await queryRunner.query(
      `CREATE INDEX outbox_status_kind_idx ON outbox (status, kind, created_at)`,
    );
    await queryRunner.query(`CREATE INDEX outbox_entity_idx ON outbox (machine_kind, entity_id)`);

    await queryRunner.query(`
      CREATE TABLE timers (
        id bigserial PRIMARY KEY,
        key text NOT NULL,
        machine_kind text NOT NULL,
        entity_id text NOT NULL,
        event jsonb NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'firing', 'fired', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        claim_expires_at timestamptz,
        last_error text,
        fired_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT timers_key_key UNIQUE (key)
      )`);
    await queryRunner.query(
      `CREATE INDEX timers_due_idx ON timers (due_at, id) WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX timers_firing_idx ON timers (claim_expires_at) WHERE status = 'firing'`,
    );
    await queryRunner.query(`CREATE INDEX timers_entity_idx ON timers (machine_kind, entity_id)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'timers',
      'outbox',
      'transitions',
      'inbound_events',
      'messages',
      'payments',
      'invoices',
      'conversations',
      'customers',
      'merchants',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
