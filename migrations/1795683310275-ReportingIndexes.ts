import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for GET /stats/summary and the CSV export (docs/PERFORMANCE.md has the measurements).
 * The invoice indexes carry every column the summary reads, so a merchant's or a period's
 * invoices are counted by an index-only scan without touching the (wide, snapshot-carrying)
 * heap. Payments and deliveries are reached per invoice through covering indexes as well.
 */
export class ReportingIndexes1795683310275 implements MigrationInterface {
  name = 'ReportingIndexes1795683310275';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX invoices_merchant_created_stats_idx ON invoices (merchant_id, created_at) INCLUDE (id, state, sent_at, paid_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX invoices_created_stats_idx ON invoices (created_at) INCLUDE (id, merchant_id, state, sent_at, paid_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX payments_invoice_stats_idx ON payments (invoice_id) INCLUDE (status, outcome)`,
    );
    // Only the deliveries that speak for an invoice (the first send and its reminders).
    await queryRunner.query(
      `CREATE INDEX deliveries_invoice_stats_idx ON deliveries (invoice_id) INCLUDE (purpose, delivered_via, state, created_at)
        WHERE invoice_id IS NOT NULL AND purpose IN ('invoice', 'reminder')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of [
      'deliveries_invoice_stats_idx',
      'payments_invoice_stats_idx',
      'invoices_created_stats_idx',
      'invoices_merchant_created_stats_idx',
    ]) {
      await queryRunner.query(`DROP INDEX ${index}`);
    }
  }
}
