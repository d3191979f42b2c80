import { idCursor, keysetPage } from './id-cursor';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/http/domain-error';
import { sanitizeForLog } from '../common/logging/redact';
import { Clock } from '../runtime/clock';
import { OutboxService } from '../runtime/outbox';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { type AdminOutboxRow, AdminOutboxQuery } from './admin-outbox.query';
import { ADMIN_DEFAULT_PAGE } from './dto/list-admin-invoices.dto';
import type { ListOutboxParams } from './dto/list-outbox.dto';

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

const CURSOR = idCursor('o');

@Injectable()
export class AdminOutboxService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: AdminOutboxQuery,
    private readonly outbox: OutboxService,
    private readonly signals: RuntimeSignals,
    private readonly clock: Clock,
  ) {}

  async list(
    query: ListOutboxParams,
  ): Promise<{ items: AdminOutboxItem[]; nextCursor: string | null }> {
    const limit = query.limit ?? ADMIN_DEFAULT_PAGE;
    const rows = await this.rows.page(
      this.dataSource.manager,
      {
        status: query.status,
        kind: query.kind,
        beforeId: query.cursor ? CURSOR.decode(query.cursor) : undefined,
      },
      limit + 1,
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
    const row = await this.signals.transaction(async (tx) => {
      const requeue = await this.outbox.requeue(tx, id, this.clock.now());
      if (requeue.outcome === 'missing') throw new NotFoundError('Outbox row');
      if (requeue.outcome === 'not_retryable') {
        throw new ConflictError(
          'outbox_not_retryable',
          `Outbox row ${id} is ${requeue.status}: only dead or pending rows can be retried`,
          { status: requeue.status },
        );
      }
      return this.rows.findById(tx, id);
    });
    if (!row) throw new NotFoundError('Outbox row');
    return toItem(row, this.clock.now().getTime());
  }
}

function toItem(row: AdminOutboxRow, now: number): AdminOutboxItem {
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
