import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pre-aggregated figures for GET /stats/summary across the whole platform (docs/PERFORMANCE.md).
 *
 * `stats_hourly`, `stats_daily` and `stats_monthly` hold, per UTC hour, day and calendar month of
 * invoice creation, the additive counters of the invoices created then (a flat jsonb map, see src/stats/stats-counters.ts).
 * Triggers append the creation hour of every invoice whose figures may have changed to
 * `stats_dirty_hours`; StatsRollupService re-aggregates those hours. Until it has, the summary
 * counts a dirty hour live, so the rollup is never served stale.
 *
 * The marks are append-only on purpose: a mark is removed only by the refresh whose snapshot
 * saw it, and that refresh's recount runs after it and so sees the change behind the mark. A
 * "mark only if not already marked" shortcut would lose changes that commit while a refresh is
 * in flight.
 *
 * Time to pay is bucketed on fixed thresholds (about 1.25× apart, 0 s to 14 months) so that the
 * exact median can be found: the histogram names the bucket and the rank inside it, and
 * `invoices_time_to_pay_idx` reads just that bucket's invoices. It includes sent_at and paid_at
 * because PostgreSQL plans an index-only scan only when every column the query names is in
 * the index, even those inside the indexed expression.
 */
export class StatsRollup1795687973819 implements MigrationInterface {
  name = 'StatsRollup1795687973819';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION stats_ttp_thresholds() RETURNS numeric[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN ARRAY[0,1,2,3,4,5,6,7,9,12,15,18,23,28,36,44,56,69,87,108,136,169,212,265,331,414,
                     517,646,808,1010,1262,1578,1972,2465,3081,3852,4815,6019,7523,9404,11755,
                     14694,18367,22959,28699,35873,44842,56052,70065,87581,109476,136846,171057,
                     213821,267276,334096,417619,522024,652530,815663,1019579,1274474,1593092,
                     1991365,2489206,3111508,3889385,4861731,6077163,7596454,9495568,11869460,
                     14836825,18546031,23182538,28978173,36222716]::numeric[]`);

    await queryRunner.query(`
      CREATE TABLE stats_hourly (
        hour timestamptz PRIMARY KEY,
        figures jsonb NOT NULL,
        refreshed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE stats_daily (
        day timestamptz PRIMARY KEY,
        figures jsonb NOT NULL,
        refreshed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE stats_monthly (
        month timestamptz PRIMARY KEY,
        figures jsonb NOT NULL,
        refreshed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE stats_dirty_hours (
        id bigserial PRIMARY KEY,
        hour timestamptz NOT NULL,
        marked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX stats_dirty_hours_hour_idx ON stats_dirty_hours (hour)`);

    await queryRunner.query(`
      CREATE FUNCTION stats_mark_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          INSERT INTO stats_dirty_hours (hour) VALUES (date_trunc('hour', OLD.created_at, 'UTC'));
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.created_at IS DISTINCT FROM OLD.created_at) THEN
          INSERT INTO stats_dirty_hours (hour) VALUES (date_trunc('hour', NEW.created_at, 'UTC'));
        END IF;
        RETURN NULL;
      END $$`);
    // Payments and deliveries count under the creation hour of their invoice.
    await queryRunner.query(`
      CREATE FUNCTION stats_mark_invoice_child() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' AND OLD.invoice_id IS NOT NULL THEN
          INSERT INTO stats_dirty_hours (hour)
          SELECT date_trunc('hour', i.created_at, 'UTC') FROM invoices i WHERE i.id = OLD.invoice_id;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.invoice_id IS NOT NULL
           AND (TG_OP = 'INSERT' OR NEW.invoice_id IS DISTINCT FROM OLD.invoice_id) THEN
          INSERT INTO stats_dirty_hours (hour)
          SELECT date_trunc('hour', i.created_at, 'UTC') FROM invoices i WHERE i.id = NEW.invoice_id;
        END IF;
        RETURN NULL;
      END $$`);

    // Only changes to what the summary reads: an invoice's state, sent_at and paid_at; a
    // payment's status and outcome; the channel or failure of an invoice or reminder delivery.
    await queryRunner.query(`
      CREATE TRIGGER invoices_stats_insert_delete AFTER INSERT OR DELETE ON invoices
        FOR EACH ROW EXECUTE FUNCTION stats_mark_invoice()`);
    await queryRunner.query(`
      CREATE TRIGGER invoices_stats_update AFTER UPDATE OF state, sent_at, paid_at, created_at ON invoices
        FOR EACH ROW
        WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.sent_at IS DISTINCT FROM NEW.sent_at
              OR OLD.paid_at IS DISTINCT FROM NEW.paid_at OR OLD.created_at IS DISTINCT FROM NEW.created_at)
        EXECUTE FUNCTION stats_mark_invoice()`);
    await queryRunner.query(`
      CREATE TRIGGER payments_stats_insert_delete AFTER INSERT OR DELETE ON payments
        FOR EACH ROW EXECUTE FUNCTION stats_mark_invoice_child()`);
    await queryRunner.query(`
      CREATE TRIGGER payments_stats_update AFTER UPDATE OF status, outcome, invoice_id ON payments
        FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.outcome IS DISTINCT FROM NEW.outcome
              OR OLD.invoice_id IS DISTINCT FROM NEW.invoice_id)
        EXECUTE FUNCTION stats_mark_invoice_child()`);
    await queryRunner.query(`
      CREATE TRIGGER deliveries_stats_insert AFTER INSERT ON deliveries
        FOR EACH ROW WHEN (NEW.invoice_id IS NOT NULL AND NEW.purpose IN ('invoice', 'reminder'))
        EXECUTE FUNCTION stats_mark_invoice_child()`);
    await queryRunner.query(`
      CREATE TRIGGER deliveries_stats_delete AFTER DELETE ON deliveries
        FOR EACH ROW WHEN (OLD.invoice_id IS NOT NULL AND OLD.purpose IN ('invoice', 'reminder'))
        EXECUTE FUNCTION stats_mark_invoice_child()`);
    await queryRunner.query(`
      CREATE TRIGGER deliveries_stats_update
        AFTER UPDATE OF purpose, delivered_via, state, invoice_id, created_at ON deliveries
        FOR EACH ROW
        WHEN ((OLD.purpose IN ('invoice', 'reminder') OR NEW.purpose IN ('invoice', 'reminder'))
              AND (OLD.purpose IS DISTINCT FROM NEW.purpose
                   OR OLD.invoice_id IS DISTINCT FROM NEW.invoice_id
                   OR OLD.created_at IS DISTINCT FROM NEW.created_at
                   OR coalesce(OLD.delivered_via, CASE WHEN OLD.state = 'FAILED' THEN 'failed' END)
                      IS DISTINCT FROM
                      coalesce(NEW.delivered_via, CASE WHEN NEW.state = 'FAILED' THEN 'failed' END)))
        EXECUTE FUNCTION stats_mark_invoice_child()`);

    await queryRunner.query(`
      CREATE INDEX invoices_time_to_pay_idx ON invoices ((extract(epoch FROM paid_at - sent_at)))
        INCLUDE (created_at, sent_at, paid_at) WHERE paid_at IS NOT NULL AND sent_at IS NOT NULL`);

    // Every hour that already has invoices is built by the first refresh after the upgrade.
    await queryRunner.query(`
      INSERT INTO stats_dirty_hours (hour)
      SELECT DISTINCT date_trunc('hour', created_at, 'UTC') FROM invoices`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX invoices_time_to_pay_idx`);
    for (const [trigger, table] of [
      ['deliveries_stats_update', 'deliveries'],
      ['deliveries_stats_delete', 'deliveries'],
      ['deliveries_stats_insert', 'deliveries'],
      ['payments_stats_update', 'payments'],
      ['payments_stats_insert_delete', 'payments'],
      ['invoices_stats_update', 'invoices'],
      ['invoices_stats_insert_delete', 'invoices'],
    ]) {
      await queryRunner.query(`DROP TRIGGER ${trigger} ON ${table}`);
    }
    await queryRunner.query(`DROP FUNCTION stats_mark_invoice_child()`);
    await queryRunner.query(`DROP FUNCTION stats_mark_invoice()`);
    await queryRunner.query(`DROP TABLE stats_dirty_hours`);
    await queryRunner.query(`DROP TABLE stats_monthly`);
    await queryRunner.query(`DROP TABLE stats_daily`);
    await queryRunner.query(`DROP TABLE stats_hourly`);
    await queryRunner.query(`DROP FUNCTION stats_ttp_thresholds()`);
  }
}
