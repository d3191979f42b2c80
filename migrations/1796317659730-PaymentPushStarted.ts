import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a crash can no longer blur:
 * - push_started_at is committed right before the HTTP call to Daraja. A payment still
 *   'initiating' without it never reached M-PESA and is simply pushed; one with it and no
 *   CheckoutRequestID is ambiguous and waits for a callback to be matched to it.
 * - matched_by says how a confirmation found its payment: by CheckoutRequestID, by amount and time
 *   (an orphan callback for an ambiguous push), or by an operator's review.
 * - review_event_id points at the inbound_events row of an orphan callback that matched several
 *   payments; no foreign key, because retention prunes inbound_events on its own schedule.
 * - overpaid_amount is money M-PESA took beyond what the invoice still owed: a refund is due.
 *
 * Rows from before this migration: a push that left 'initiating' (other than by a refusal), or
 * whose outbox row was already tried and not refused, counts as started, so no push that may have
 * gone out is ever sent a second time.
 */
export class PaymentPushStarted1796317659730 implements MigrationInterface {
  name = 'PaymentPushStarted1796317659730';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE payments
        ADD COLUMN push_started_at timestamptz,
        ADD COLUMN matched_by text
          CHECK (matched_by IN ('checkout_request_id', 'amount_and_time', 'review')),
        ADD COLUMN review_event_id bigint,
        ADD COLUMN overpaid_amount integer CHECK (overpaid_amount > 0)`);
    // Refused pushes never started; an 'initiating' one whose last try was refused carries the
    // old 'retry: ' mark in result_desc.
    await queryRunner.query(`
      UPDATE payments p SET push_started_at = p.initiated_at
       WHERE (p.status <> 'initiating' AND p.outcome IS DISTINCT FROM 'rejected')
          OR (p.status = 'initiating'
              AND (p.result_desc IS NULL OR p.result_desc NOT LIKE 'retry: %')
              AND EXISTS (SELECT 1 FROM outbox o
                           WHERE o.kind = 'mpesa.stk_push' AND o.attempts > 0
                             AND o.payload->>'paymentId' = p.id::text))`);
    await queryRunner.query(`
      UPDATE payments SET matched_by = 'checkout_request_id'
       WHERE checkout_request_id IS NOT NULL AND status IN ('succeeded', 'review')`);
    // The candidates an orphan callback is matched against: started pushes without an answer.
    await queryRunner.query(`
      CREATE INDEX payments_unanswered_push_idx ON payments (amount, push_started_at)
       WHERE checkout_request_id IS NULL AND push_started_at IS NOT NULL`);
    // The invoices CSV asks each invoice for its refund due: a probe of this tiny index.
    await queryRunner.query(`
      CREATE INDEX payments_overpaid_idx ON payments (invoice_id)
       WHERE overpaid_amount IS NOT NULL`);
    // "Was there a later push to this phone?", asked of each candidate.
    await queryRunner.query(`
      CREATE INDEX payments_phone_push_started_idx ON payments (phone, push_started_at)
       WHERE push_started_at IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX payments_phone_push_started_idx`);
    await queryRunner.query(`DROP INDEX payments_overpaid_idx`);
    await queryRunner.query(`DROP INDEX payments_unanswered_push_idx`);
    await queryRunner.query(`
      ALTER TABLE payments
        DROP COLUMN overpaid_amount,
        DROP COLUMN review_event_id,
        DROP COLUMN matched_by,
        DROP COLUMN push_started_at`);
  }
}
