import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

export interface OutboxDepthRow {
  kind: string;
  status: string;
  n: string;
  oldest: Date;
}

export interface OpenInboundRow {
  provider: string;
  kind: string;
  status: 'pending' | 'dead';
  n: string;
  oldest: Date;
}

/** What the Prometheus gauges read from the database at each scrape: counts, never rows. */
@Injectable()
export class MetricsQuery {
  /** Outbox rows still to do or dead, by kind and status, with the oldest one's creation. */
  outboxDepth(tx: EntityManager): Promise<OutboxDepthRow[]> {
    return queryRows<OutboxDepthRow>(
      tx,
      `SELECT kind, status, count(*) AS n, min(created_at) AS oldest FROM outbox
        WHERE status IN ('pending', 'running', 'dead') GROUP BY kind, status`,
    );
  }

  async dueTimers(tx: EntityManager, now: Date): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      tx,
      `SELECT count(*) AS n FROM timers WHERE status = 'pending' AND due_at <= $1`,
      [now],
    );
    return Number(row?.n ?? 0);
  }

  payments(tx: EntityManager): Promise<{ status: string; outcome: string | null; n: string }[]> {
    return queryRows(
      tx,
      `SELECT status, outcome, count(*) AS n FROM payments GROUP BY status, outcome`,
    );
  }

  outboundMessages(tx: EntityManager): Promise<{ channel: string; status: string; n: string }[]> {
    return queryRows(
      tx,
      `SELECT channel, status, count(*) AS n FROM messages WHERE direction = 'outbound' GROUP BY channel, status`,
    );
  }

  /** Hours the stats rollup has still to store, and the age in seconds of the oldest mark. */
  async rollupBacklog(tx: EntityManager): Promise<{ hours: number; lagSeconds: number }> {
    const [row] = await queryRows<{ hours: string; lag: string | null }>(
      tx,
      `SELECT count(DISTINCT hour) AS hours, extract(epoch FROM now() - min(marked_at)) AS lag
         FROM stats_dirty_hours`,
    );
    return { hours: Number(row?.hours ?? 0), lagSeconds: Number(row?.lag ?? 0) };
  }

  /**
   * Open events of `providers` only (the partial index on processed_at IS NULL), by provider,
   * kind and status, with the oldest one's arrival.
   */
  openInboundEvents(tx: EntityManager, providers: readonly string[]): Promise<OpenInboundRow[]> {
    return queryRows<OpenInboundRow>(
      tx,
      `SELECT provider,
              CASE WHEN provider = 'whatsapp' THEN coalesce(payload->>'kind', 'unknown')
                   ELSE split_part(external_id, ':', 1) END AS kind,
              CASE WHEN dead_at IS NULL THEN 'pending' ELSE 'dead' END AS status,
              count(*) AS n, min(received_at) AS oldest
         FROM inbound_events
        WHERE provider = ANY($1::text[]) AND processed_at IS NULL
        GROUP BY 1, 2, 3`,
      [[...providers]],
    );
  }
}
