import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

/** One event applied to (or ignored by) a machine, as the runner audits it. */
export interface TransitionRecord {
  kind: string;
  entityId: string;
  from: string | null;
  to: string | null;
  eventType: string;
  source: string;
  accepted: boolean;
  version: number | null;
  at: Date;
}

/** The audit column widths: a longer event type or source is cut, never refused. */
const MAX_EVENT_TYPE = 100;
const MAX_SOURCE = 100;

/** Every statement on `transitions`: the append-only audit of the machines. */
@Injectable()
export class TransitionRepository {
  async insert(tx: EntityManager, record: TransitionRecord): Promise<void> {
    await tx.query(
      `INSERT INTO transitions (machine_kind, entity_id, from_state, to_state, event_type, source, accepted, version, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        record.kind,
        record.entityId,
        record.from,
        record.to,
        record.eventType.slice(0, MAX_EVENT_TYPE),
        record.source.slice(0, MAX_SOURCE),
        record.accepted,
        record.version,
        record.at,
      ],
    );
  }

  /** When the machine last accepted an event of this type; null when it never did. */
  async lastAcceptedAt(
    tx: EntityManager,
    kind: string,
    entityId: string,
    eventType: string,
  ): Promise<Date | null> {
    const [row] = await queryRows<{ at: Date | null }>(
      tx,
      `SELECT max(at) AS at FROM transitions
        WHERE machine_kind = $1 AND entity_id = $2 AND event_type = $3 AND accepted`,
      [kind, entityId, eventType],
    );
    return row?.at ? new Date(row.at) : null;
  }
}
