import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

export interface NewOutboxRow {
  kind: string;
  /** Unique forever: the same key twice is one row. */
  idempotencyKey: string;
  payload: Record<string, unknown>;
  maxAttempts?: number;
  notBefore?: Date;
  machineKind?: string;
  entityId?: string;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** A row a dispatcher has just claimed: its attempts include the run about to start. */
export interface ClaimedOutboxRecord {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  idempotencyKey: string;
  attempts: number;
  maxAttempts: number;
  machineKind: string | null;
  entityId: string | null;
  createdAt: Date;
}

interface ClaimedOutboxRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  idempotency_key: string;
  attempts: number;
  max_attempts: number;
  machine_kind: string | null;
  entity_id: string | null;
  created_at: Date;
}

export interface OutboxClaim {
  workerId: string;
  now: Date;
  /** Until when the claim holds; then another dispatcher may take the row over. */
  leaseUntil: Date;
  limit: number;
  kinds: string[];
}

/** Every statement on `outbox` except the operators' and reports' reads. */
@Injectable()
export class OutboxRepository {
  /** Adds a row; false when a row with its idempotency key exists already. */
  async insert(tx: EntityManager, row: NewOutboxRow): Promise<boolean> {
    const inserted = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO outbox (kind, payload, idempotency_key, max_attempts, next_attempt_at, machine_kind, entity_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now())
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [
        row.kind,
        row.payload,
        row.idempotencyKey,
        row.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        row.notBefore ?? new Date(0),
        row.machineKind ?? null,
        row.entityId ?? null,
      ],
    );
    return inserted.length > 0;
  }

  /**
   * Claims due rows of these kinds, and rows whose claim expired, counting the attempt. SKIP
   * LOCKED: dispatchers running side by side never wait for, nor take, each other's rows.
   */
  async claimDue(tx: EntityManager, claim: OutboxClaim): Promise<ClaimedOutboxRecord[]> {
    const rows = await queryRows<ClaimedOutboxRow>(
      tx,
      `UPDATE outbox o
          SET status = 'running', claimed_by = $1, claim_expires_at = $2, attempts = o.attempts + 1, updated_at = $3
        WHERE o.id IN (
          SELECT id FROM outbox
           WHERE ((status = 'pending' AND next_attempt_at <= $3)
              OR (status = 'running' AND claim_expires_at < $3))
             AND kind = ANY($5::text[])
           ORDER BY next_attempt_at, id
           LIMIT $4
           FOR UPDATE SKIP LOCKED)
        RETURNING o.id, o.kind, o.payload, o.idempotency_key, o.attempts, o.max_attempts, o.machine_kind, o.entity_id, o.created_at`,
      [claim.workerId, claim.leaseUntil, claim.now, claim.limit, claim.kinds],
    );
    return rows.map(toClaimedRecord);
  }

  /**
   * The three ends of a run. Each applies only while this worker still holds the claim: a row
   * taken over after its lease expired belongs to the worker that took it.
   */
  async complete(tx: EntityManager, id: string, workerId: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE outbox SET status = 'done', completed_at = $3, updated_at = $3, claimed_by = NULL, claim_expires_at = NULL, last_error = NULL
        WHERE id = $1 AND claimed_by = $2`,
      [id, workerId, at],
    );
  }

  async bury(
    tx: EntityManager,
    id: string,
    workerId: string,
    error: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE outbox SET status = 'dead', last_error = $3, updated_at = $4, claimed_by = NULL, claim_expires_at = NULL
        WHERE id = $1 AND claimed_by = $2`,
      [id, workerId, error, at],
    );
  }

  async retryLater(
    tx: EntityManager,
    id: string,
    workerId: string,
    retry: { error: string; at: Date; retryAt: Date },
  ): Promise<void> {
    await tx.query(
      `UPDATE outbox SET status = 'pending', last_error = $3, next_attempt_at = $4, updated_at = $5, claimed_by = NULL, claim_expires_at = NULL
        WHERE id = $1 AND claimed_by = $2`,
      [id, workerId, retry.error, retry.retryAt, retry.at],
    );
  }

  /** The row's status, locked for the rest of the transaction; null when there is no such row. */
  async lockStatus(tx: EntityManager, id: string): Promise<string | null> {
    const [row] = await queryRows<{ status: string }>(
      tx,
      `SELECT status FROM outbox WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row?.status ?? null;
  }

  /** An operator's retry: pending again with a fresh budget of attempts, due at `at`. */
  async requeue(tx: EntityManager, id: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2,
              claimed_by = NULL, claim_expires_at = NULL, completed_at = NULL, updated_at = $2
        WHERE id = $1`,
      [id, at],
    );
  }
}

function toClaimedRecord(row: ClaimedOutboxRow): ClaimedOutboxRecord {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    idempotencyKey: row.idempotency_key,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    machineKind: row.machine_kind,
    entityId: row.entity_id,
    createdAt: row.created_at,
  };
}
