import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

export interface AdminInboundRow {
  id: string;
  provider: string;
  external_id: string;
  /** SMS: inbound or status (the external id's prefix); WhatsApp: the payload's kind. */
  kind: string;
  payload: unknown;
  attempts: number;
  last_error: string | null;
  received_at: Date;
  next_attempt_at: Date | null;
  dead_at: Date | null;
  processed_at: Date | null;
}

export interface AdminInboundFilter {
  providers: readonly string[];
  status: 'dead' | 'pending';
  /** Only events older (smaller id) than this one. */
  beforeId?: string;
}

const COLUMNS = `id, provider, external_id,
  CASE WHEN provider = 'whatsapp' THEN coalesce(payload->>'kind', 'unknown')
       ELSE split_part(external_id, ':', 1) END AS kind,
  payload, attempts, last_error, received_at, next_attempt_at, dead_at, processed_at`;

/** Inbound events not processed yet, as operators see them. */
@Injectable()
export class AdminInboundQuery {
  /** Newest first. */
  page(tx: EntityManager, filter: AdminInboundFilter, limit: number): Promise<AdminInboundRow[]> {
    const params: unknown[] = [[...filter.providers]];
    const where = [
      `provider = ANY($1::text[])`,
      `processed_at IS NULL`,
      filter.status === 'dead' ? `dead_at IS NOT NULL` : `dead_at IS NULL`,
    ];
    if (filter.beforeId) {
      params.push(filter.beforeId);
      where.push(`id < $${params.length}::bigint`);
    }
    params.push(limit);
    return queryRows<AdminInboundRow>(
      tx,
      `SELECT ${COLUMNS} FROM inbound_events WHERE ${where.join(' AND ')}
        ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async findById(tx: EntityManager, id: string): Promise<AdminInboundRow | null> {
    const [row] = await queryRows<AdminInboundRow>(
      tx,
      `SELECT ${COLUMNS} FROM inbound_events WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }
}
