import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

export interface AdminOutboxRow {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  max_attempts: number;
  payload: unknown;
  idempotency_key: string;
  last_error: string | null;
  machine_kind: string | null;
  entity_id: string | null;
  next_attempt_at: Date;
  created_at: Date;
  updated_at: Date;
}

export interface AdminOutboxFilter {
  status?: string;
  kind?: string;
  /** Only rows older (smaller id) than this one. */
  beforeId?: string;
}

const COLUMNS = `id, kind, status, attempts, max_attempts, payload, idempotency_key, last_error,
  machine_kind, entity_id, next_attempt_at, created_at, updated_at`;

/** The outbox as operators see it. */
@Injectable()
export class AdminOutboxQuery {
  /** Newest first. */
  page(tx: EntityManager, filter: AdminOutboxFilter, limit: number): Promise<AdminOutboxRow[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (filter.kind) {
      params.push(filter.kind);
      where.push(`kind = $${params.length}`);
    }
    if (filter.beforeId) {
      params.push(filter.beforeId);
      where.push(`id < $${params.length}::bigint`);
    }
    params.push(limit);
    return queryRows<AdminOutboxRow>(
      tx,
      `SELECT ${COLUMNS} FROM outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async findById(tx: EntityManager, id: string): Promise<AdminOutboxRow | null> {
    const [row] = await queryRows<AdminOutboxRow>(
      tx,
      `SELECT ${COLUMNS} FROM outbox WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }
}
