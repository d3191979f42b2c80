import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

/** One provider event for the ledger; (provider, externalId) is its dedupe key. */
export interface NewInboundEvent {
  provider: string;
  externalId: string;
  /** Stored as jsonb; none for ledgers that only dedupe. */
  payload?: unknown;
  /** When it arrived; the database's now() when unset. */
  receivedAt?: Date;
  /** Recorded as handled already (at receivedAt): nothing will act on it later. */
  processed?: boolean;
}

/** One of several events of one provider, recorded in one statement. */
export type NewInboundEventOf = Omit<NewInboundEvent, 'provider' | 'receivedAt'>;

export interface InboundEventRecord {
  id: string;
  externalId: string;
  payload: unknown;
  receivedAt: Date;
}

interface InboundEventRow {
  id: string;
  external_id: string;
  payload: unknown;
  received_at: Date;
}

const MAX_ERROR = 500;
const RECORD_COLUMNS = 'id, external_id, payload, received_at';

/**
 * Every statement on `inbound_events` except the operators' and reports' reads: the dedupe ledger
 * of provider events and of the internal ledgers ('machine', 'bot', …), and the operator's view
 * (attempts, last error, dead) of the events the inbound queue runs on the outbox.
 */
@Injectable()
export class InboundEventRepository {
  /** Records the event unless its key is there already: the new row's id, or null for a duplicate. */
  async insertOnce(tx: EntityManager, event: NewInboundEvent): Promise<string | null> {
    const [row] = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO inbound_events (provider, external_id, payload, received_at, processed_at)
       VALUES ($1, $2, $3::jsonb, coalesce($4::timestamptz, now()),
               CASE WHEN $5::boolean THEN coalesce($4::timestamptz, now()) END)
       ON CONFLICT (provider, external_id) DO NOTHING
       RETURNING id`,
      [
        event.provider,
        event.externalId,
        event.payload === undefined ? null : JSON.stringify(event.payload),
        event.receivedAt ?? null,
        event.processed ?? false,
      ],
    );
    return row ? String(row.id) : null;
  }

  /**
   * Records several events of one provider in one statement (concurrent copies collide on the
   * key, never deadlock on each other's order); returns the new ones, in insertion order.
   */
  async insertManyOnce(
    tx: EntityManager,
    provider: string,
    events: NewInboundEventOf[],
  ): Promise<{ id: string; externalId: string }[]> {
    if (events.length === 0) return [];
    const rows = await queryRows<{ id: string; external_id: string }>(
      tx,
      `INSERT INTO inbound_events (provider, external_id, payload, processed_at)
       SELECT $1, x.value->>'e', x.value->'p', CASE WHEN (x.value->>'r')::boolean THEN now() END
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(value, n)
        ORDER BY x.n
       ON CONFLICT (provider, external_id) DO NOTHING
       RETURNING id, external_id`,
      [
        provider,
        JSON.stringify(
          events.map((e) => ({
            e: e.externalId,
            p: e.payload ?? null,
            r: e.processed === true,
          })),
        ),
      ],
    );
    return rows
      .map((r) => ({ id: String(r.id), externalId: r.external_id }))
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Whether an event of this provider whose key starts with `keyPrefix` arrived after `since`. */
  async existsSince(
    tx: EntityManager,
    provider: string,
    keyPrefix: string,
    since: Date,
  ): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `SELECT id FROM inbound_events
        WHERE provider = $1 AND external_id LIKE $2 AND received_at > $3 LIMIT 1`,
      [provider, `${likeEscape(keyPrefix)}%`, since],
    );
    return rows.length > 0;
  }

  /** The stored payload; undefined when there is no such event. */
  async payloadOf(tx: EntityManager, id: string): Promise<unknown> {
    const [row] = await queryRows<{ payload: unknown }>(
      tx,
      `SELECT payload FROM inbound_events WHERE id = $1`,
      [id],
    );
    return row ? row.payload : undefined;
  }

  /** The payload of an event neither processed nor dead; null otherwise. */
  async findOpen(tx: EntityManager, id: string): Promise<{ payload: unknown } | null> {
    const [row] = await queryRows<{ payload: unknown }>(
      tx,
      `SELECT payload FROM inbound_events WHERE id = $1 AND processed_at IS NULL AND dead_at IS NULL`,
      [id],
    );
    return row ?? null;
  }

  /** Locks (FOR UPDATE) the unprocessed events whose key starts with `keyPrefix`, oldest first. */
  async lockOpenByKeyPrefix(
    tx: EntityManager,
    provider: string,
    keyPrefix: string,
  ): Promise<InboundEventRecord[]> {
    const rows = await queryRows<InboundEventRow>(
      tx,
      `SELECT ${RECORD_COLUMNS} FROM inbound_events
        WHERE provider = $1 AND processed_at IS NULL AND external_id LIKE $2
        ORDER BY id FOR UPDATE`,
      [provider, `${likeEscape(keyPrefix)}%`],
    );
    return rows.map(toRecord);
  }

  /**
   * Locks (FOR UPDATE) up to `limit` unprocessed events whose key ends with `keySuffix` and that
   * arrived at or after `since`, oldest first.
   */
  async lockOpenByKeySuffix(
    tx: EntityManager,
    provider: string,
    keySuffix: string,
    since: Date,
    limit: number,
  ): Promise<InboundEventRecord[]> {
    const rows = await queryRows<InboundEventRow>(
      tx,
      `SELECT ${RECORD_COLUMNS} FROM inbound_events
        WHERE provider = $1 AND processed_at IS NULL AND external_id LIKE $2
          AND received_at >= $3
        ORDER BY id LIMIT $4 FOR UPDATE`,
      [provider, `%${likeEscape(keySuffix)}`, since, limit],
    );
    return rows.map(toRecord);
  }

  /** Up to `limit` unprocessed events that arrived before `before`, oldest first (no lock). */
  async listOpenReceivedBefore(
    tx: EntityManager,
    provider: string,
    before: Date,
    limit: number,
  ): Promise<InboundEventRecord[]> {
    const rows = await queryRows<InboundEventRow>(
      tx,
      `SELECT ${RECORD_COLUMNS} FROM inbound_events
        WHERE provider = $1 AND processed_at IS NULL AND received_at < $2
        ORDER BY received_at
        LIMIT $3`,
      [provider, before, limit],
    );
    return rows.map(toRecord);
  }

  /**
   * Closes a handled event (at `at`, or the database's now()), clearing its last error. False
   * when it was processed already, so a consumer can make its effects and this mark one commit.
   */
  async markProcessed(tx: EntityManager, id: string, at?: Date): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `UPDATE inbound_events
          SET processed_at = coalesce($2::timestamptz, now()), next_attempt_at = NULL, last_error = NULL
        WHERE id = $1 AND processed_at IS NULL
        RETURNING id`,
      [id, at ?? null],
    );
    return rows.length > 0;
  }

  /**
   * For events the outbox runs: the ledger's count of runs follows the outbox row's, which keeps
   * the schedule (next_attempt_at is a column of the retry ledger this replaced).
   */
  async recordAttempt(tx: EntityManager, id: string, attempts: number): Promise<void> {
    await tx.query(
      `UPDATE inbound_events SET attempts = GREATEST(attempts, $2), next_attempt_at = NULL
        WHERE id = $1 AND processed_at IS NULL`,
      [id, attempts],
    );
  }

  /** Locks (FOR UPDATE) an event of one of these providers; null when there is none. */
  async lockAmong(
    tx: EntityManager,
    providers: readonly string[],
    id: string,
  ): Promise<{ provider: string; processed: boolean } | null> {
    const [row] = await queryRows<{ provider: string; processed: boolean }>(
      tx,
      `SELECT provider, processed_at IS NOT NULL AS processed FROM inbound_events
        WHERE id = $1 AND provider = ANY($2::text[]) FOR UPDATE`,
      [id, [...providers]],
    );
    return row ?? null;
  }

  /** An operator's retry: a fresh budget of attempts, no longer dead. */
  async resetAttempts(tx: EntityManager, id: string): Promise<void> {
    await tx.query(
      `UPDATE inbound_events SET attempts = 0, dead_at = NULL, last_error = NULL WHERE id = $1`,
      [id],
    );
  }

  /** For events the outbox runs: the failure for operators, and dead when the outbox gave up. */
  async recordFailure(
    tx: EntityManager,
    id: string,
    failure: { error: string; dead: boolean },
  ): Promise<void> {
    await tx.query(
      `UPDATE inbound_events SET last_error = $2, dead_at = CASE WHEN $3::boolean THEN now() END
        WHERE id = $1 AND processed_at IS NULL AND dead_at IS NULL`,
      [id, failure.error.slice(0, MAX_ERROR), failure.dead],
    );
  }

  /** Retention: how many events arrived before `before`. */
  async countReceivedBefore(tx: EntityManager, before: Date): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      tx,
      `SELECT count(*) AS n FROM inbound_events WHERE received_at < $1`,
      [before],
    );
    return Number(row?.n ?? 0);
  }

  /** Retention: deletes up to `limit` events that arrived before `before`; returns how many. */
  async deleteReceivedBefore(tx: EntityManager, before: Date, limit: number): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `DELETE FROM inbound_events
        WHERE id IN (SELECT id FROM inbound_events WHERE received_at < $1 LIMIT $2)
        RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }
}

function toRecord(row: InboundEventRow): InboundEventRecord {
  return {
    id: String(row.id),
    externalId: row.external_id,
    payload: row.payload,
    receivedAt: new Date(row.received_at),
  };
}

/** A literal for LIKE: its own % and _ (and the escape character) match only themselves. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
