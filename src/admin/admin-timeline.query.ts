import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import { PAYMENT_COLUMNS, type PaymentRow } from '../payments/payment.record';

/** Microsecond UTC timestamps as text: they sort as strings and keep same-millisecond order. */
const EXACT = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface TimelineDeliveryRow {
  id: string;
  purpose: string;
  state: string;
  delivered_via: string | null;
  recipient: string;
  created_at: Date;
}

/** The payments row with its start time to the microsecond, for ordering the timeline. */
export type TimelinePaymentRow = PaymentRow & { initiated_exact: string };

export interface TimelineTransitionRow {
  machine_kind: string;
  entity_id: string;
  from_state: string | null;
  to_state: string | null;
  event_type: string;
  source: string;
  accepted: boolean;
  at_exact: string;
}

export interface TimelineMessageRow {
  id: string;
  logical_id: string | null;
  direction: string;
  channel: string;
  purpose: string | null;
  kind: string;
  recipient: string | null;
  status: string;
  queued_exact: string;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
  error_code: string | null;
  error_title: string | null;
}

export interface TimelineTimerRow {
  id: string;
  machine_kind: string;
  entity_id: string;
  key: string;
  event: unknown;
  due_at: Date;
  status: string;
  fired_at: Date | null;
  created_exact: string;
}

/**
 * What happened to one invoice, table by table, each in its own time order: the operator's
 * timeline merges them. Times that order the timeline are read to the microsecond.
 */
@Injectable()
export class AdminTimelineQuery {
  deliveries(tx: EntityManager, invoiceId: string): Promise<TimelineDeliveryRow[]> {
    return queryRows<TimelineDeliveryRow>(
      tx,
      `SELECT id, purpose, state, delivered_via, recipient, created_at
         FROM deliveries WHERE invoice_id = $1 ORDER BY created_at, id`,
      [invoiceId],
    );
  }

  payments(tx: EntityManager, invoiceId: string): Promise<TimelinePaymentRow[]> {
    return queryRows<TimelinePaymentRow>(
      tx,
      `SELECT ${PAYMENT_COLUMNS}, ${EXACT('p.initiated_at')} AS initiated_exact
         FROM payments p WHERE p.invoice_id = $1 ORDER BY p.attempt`,
      [invoiceId],
    );
  }

  /** Of the machines whose entity id is one of `entityIds` (the invoice, its deliveries, payments). */
  transitions(tx: EntityManager, entityIds: string[]): Promise<TimelineTransitionRow[]> {
    return queryRows<TimelineTransitionRow>(
      tx,
      `SELECT machine_kind, entity_id, from_state, to_state, event_type, source, accepted,
              ${EXACT('at')} AS at_exact
         FROM transitions WHERE entity_id = ANY($1::text[])
        ORDER BY at, id`,
      [entityIds],
    );
  }

  /** Sent for the invoice, or for one of its deliveries. */
  messages(
    tx: EntityManager,
    invoiceId: string,
    deliveryIds: string[],
  ): Promise<TimelineMessageRow[]> {
    return queryRows<TimelineMessageRow>(
      tx,
      `SELECT id, logical_id, direction, channel, purpose, kind, recipient, status, sent_at,
              delivered_at, read_at, failed_at, error_code, error_title,
              ${EXACT('queued_at')} AS queued_exact
         FROM messages
        WHERE invoice_id = $1 OR logical_id = ANY($2::uuid[])
        ORDER BY queued_at, id`,
      [invoiceId, deliveryIds],
    );
  }

  timers(tx: EntityManager, entityIds: string[]): Promise<TimelineTimerRow[]> {
    return queryRows<TimelineTimerRow>(
      tx,
      `SELECT id, machine_kind, entity_id, key, event, due_at, status, fired_at,
              ${EXACT('created_at')} AS created_exact
         FROM timers WHERE entity_id = ANY($1::text[])
        ORDER BY created_at, id`,
      [entityIds],
    );
  }
}
