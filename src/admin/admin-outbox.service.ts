import { idCursor, keysetPage } from './id-cursor';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/http/domain-error';
import { sanitizeForLog } from '../common/logging/redact';
import { queryRows } from '../database/sql';
import { Clock } from '../runtime/clock';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { ADMIN_DEFAULT_PAGE } from './dto/list-admin-invoices.dto';
import type { ListOutboxParams } from './dto/list-outbox.dto';

interface OutboxListRow {
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

export interface AdminOutboxItem {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  /** Phone numbers masked, message bodies removed. */
  payload: unknown;
  idempotencyKey: string;
  lastError: string | null;
  machineKind: string | null;
  entityId: string | null;
  nextAttemptAt: string;
  createdAt: string;
  updatedAt: string;
  ageSeconds: number;
}

const COLUMNS = `id, kind, status, attempts, max_attempts, payload, idempotency_key, last_error,
  machine_kind, entity_id, next_attempt_at, created_at, updated_at`;

const CURSOR = idCursor('o');

@Injectable()
export class AdminOutboxService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly signals: RuntimeSignals,
    private readonly clock: Clock,
  ) {}

  async list(
    query: ListOutboxParams,
  ): Promise<{ items: AdminOutboxItem[]; nextCursor: string | null }> {
    const limit = query.limit ?? ADMIN_DEFAULT_PAGE;
    const params: unknown[] = [];
    const where: string[] = [];
    if (query.status) {
      params.push(query.status);
      where.push(`status = $${params.length}`);
    }
    if (query.kind) {
      params.push(query.kind);
      where.push(`kind = $${params.length}`);
    }
    if (query.cursor) {
      params.push(CURSOR.decode(query.cursor));
      where.push(`id < $${params.length}::bigint`);
    }
    params.push(limit + 1);
    const rows = await queryRows<OutboxListRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const now = this.clock.now().getTime();
    return keysetPage(rows, limit, CURSOR, (row) => toItem(row, now));
  }

  /**
   * A dead (or waiting) row goes back to the queue with a fresh budget of attempts, due now;
   * the dispatcher is woken after the commit. A running or done row is left alone.
   */
  async retry(id: string): Promise<AdminOutboxItem> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Outbox row');
    const row = await this.signals.transaction(async (manager) => {
      const now = this.clock.now();
      const [current] = await queryRows<{ status: string }>(
        manager,
        `SELECT status FROM outbox WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!current) throw new NotFoundError('Outbox row');
      if (current.status !== 'dead' && current.status !== 'pending') {
        throw new ConflictError(
          'outbox_not_retryable',
          `Outbox row ${id} is ${current.status}: only dead or pending rows can be retried`,
          { status: current.status },
        );
      }
      const [updated] = await queryRows<OutboxListRow>(
        manager,
        `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2,
                claimed_by = NULL, claim_expires_at = NULL, completed_at = NULL, updated_at = $2
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, now],
      );
      this.signals.outboxChanged(manager);
      return updated;
    });
    return toItem(row, this.clock.now().getTime());
  }
}

function toItem(row: OutboxListRow, now: number): AdminOutboxItem {
  const created = new Date(row.created_at).getTime();
  return {
    id: String(row.id),
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    payload: sanitizeForLog(row.payload),
    idempotencyKey: row.idempotency_key,
    lastError: row.last_error,
    machineKind: row.machine_kind,
    entityId: row.entity_id,
    nextAttemptAt: new Date(row.next_attempt_at).toISOString(),
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    ageSeconds: Math.max(0, Math.round((now - created) / 1000)),
  };
}
