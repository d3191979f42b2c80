import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An operator's decision on a payment held for review (M-PESA confirmed another amount than we
 * asked for): accepted (the reported amount counts) or rejected (the attempt fails), when, and
 * why. Until then the payment stays in `review` and its invoice in PAYMENT_INIT.
 */
export class PaymentReview1795690763757 implements MigrationInterface {
  name = 'PaymentReview1795690763757';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE payments
        ADD COLUMN review_decision text CHECK (review_decision IN ('accepted', 'rejected')),
        ADD COLUMN review_note text CHECK (char_length(review_note) BETWEEN 1 AND 500),
        ADD COLUMN reviewed_at timestamptz,
        ADD CONSTRAINT payments_review_complete
          CHECK ((review_decision IS NULL) = (reviewed_at IS NULL)
                 AND (review_decision IS NULL) = (review_note IS NULL))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE payments
        DROP CONSTRAINT payments_review_complete,
        DROP COLUMN reviewed_at,
        DROP COLUMN review_note,
        DROP COLUMN review_decision`);
  }
}
