import { PAYMENT_COLUMNS, type PaymentRow } from '../payments/payment.record';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { maskPhone, sanitizeForLog } from '../common/logging/redact';
import { queryRows } from '../database/sql';
import { type AdminPayment, toAdminPayment } from './admin-payments.service';
import {
  AdminInvoicesService,
  type AdminInvoiceItem,
  toAdminInvoice,
} from './admin-invoices.service';

/** Microsecond UTC timestamps as text: they sort as strings and keep same-millisecond order. */
const EXACT = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export type TimelineEntry =
  | {
      type: 'transition';
      at: string;
      machine: string;
      entityId: string;
      from: string | null;
      to: string | null;
      event: string;
      source: string;
      accepted: boolean;
    }
  | {
      type: 'message';
      at: string;
      id: string;
      deliveryId: string | null;
      direction: string;
      channel: string;
      purpose: string | null;
      kind: string;
      recipient: string | null;
      status: string;
      sentAt: string | null;
      deliveredAt: string | null;
      readAt: string | null;
      failedAt: string | null;
      errorCode: string | null;
      errorTitle: string | null;
    }
  | ({ type: 'payment'; at: string } & AdminPayment)
  | {
      type: 'timer';
      at: string;
      id: string;
      machine: string;
      entityId: string;
      key: string;
      event: unknown;
      dueAt: string;
      status: string;
      firedAt: string | null;
    };

export interface InvoiceTimeline {
  invoice: AdminInvoiceItem & { description: string; version: number };
  deliveries: {
    id: string;
    purpose: string;
    state: string;
    deliveredVia: string | null;
    recipient: string;
    createdAt: string;
  }[];
  timeline: TimelineEntry[];
}

interface TransitionRow {
  machine_kind: string;
  entity_id: string;
  from_state: string | null;
  to_state: string | null;
  event_type: string;
  source: string;
  accepted: boolean;
  at_exact: string;
}

interface MessageRow {
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

/** The payments row with its start time to the microsecond, for ordering the timeline. */
type TimelinePaymentRow = PaymentRow & { initiated_exact: string };

interface TimerRow {
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

interface DeliveryRow {
  id: string;
  purpose: string;
  state: string;
  delivered_via: string | null;
  recipient: string;
  created_at: Date;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);
/** Kinds in the order they happen when two share a timestamp. */
const TYPE_ORDER: Record<TimelineEntry['type'], number> = {
  transition: 0,
  timer: 1,
  payment: 2,
  message: 3,
};

/**
 * Everything that happened to one invoice, in time order: the transitions of its own machine
 * and of its deliveries and payments, every message sent for it, every payment attempt with
 * M-PESA's answer, and the timers set for it. Phone numbers are masked.
 */
@Injectable()
export class AdminTimelineService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: AdminInvoicesService,
  ) {}

  async forRef(ref: string): Promise<InvoiceTimeline> {
    const invoice = await this.invoices.getByRef(ref);
    const deliveries = await queryRows<DeliveryRow>(
      this.dataSource,
      `SELECT id, purpose, state, delivered_via, recipient, created_at
         FROM deliveries WHERE invoice_id = $1 ORDER BY created_at, id`,
      [invoice.id],
    );
    const payments = await queryRows<TimelinePaymentRow>(
      this.dataSource,
      `SELECT ${PAYMENT_COLUMNS}, ${EXACT('p.initiated_at')} AS initiated_exact
         FROM payments p WHERE p.invoice_id = $1 ORDER BY p.attempt`,
      [invoice.id],
    );
    const deliveryIds = deliveries.map((d) => d.id);
    const entityIds = [invoice.id, ...deliveryIds, ...payments.map((p) => p.id)];
    const transitions = await queryRows<TransitionRow>(
      this.dataSource,
      `SELECT machine_kind, entity_id, from_state, to_state, event_type, source, accepted,
              ${EXACT('at')} AS at_exact
         FROM transitions WHERE entity_id = ANY($1::text[])
        ORDER BY at, id`,
      [entityIds],
    );
    const messages = await queryRows<MessageRow>(
      this.dataSource,
      `SELECT id, logical_id, direction, channel, purpose, kind, recipient, status, sent_at,
              delivered_at, read_at, failed_at, error_code, error_title,
              ${EXACT('queued_at')} AS queued_exact
         FROM messages
        WHERE invoice_id = $1 OR logical_id = ANY($2::uuid[])
        ORDER BY queued_at, id`,
      [invoice.id, deliveryIds],
    );
    const timers = await queryRows<TimerRow>(
      this.dataSource,
      `SELECT id, machine_kind, entity_id, key, event, due_at, status, fired_at,
              ${EXACT('created_at')} AS created_exact
         FROM timers WHERE entity_id = ANY($1::text[])
        ORDER BY created_at, id`,
      [entityIds],
    );

    const timeline: TimelineEntry[] = [
      ...transitions.map((t): TimelineEntry => ({
        type: 'transition',
        at: t.at_exact,
        machine: t.machine_kind,
        entityId: t.entity_id,
        from: t.from_state,
        to: t.to_state,
        event: t.event_type,
        source: t.source,
        accepted: t.accepted,
      })),
      ...messages.map((m): TimelineEntry => ({
        type: 'message',
        at: m.queued_exact,
        id: m.id,
        deliveryId: m.logical_id,
        direction: m.direction,
        channel: m.channel,
        purpose: m.purpose,
        kind: m.kind,
        recipient: m.recipient ? maskPhone(m.recipient) : null,
        status: m.status,
        sentAt: iso(m.sent_at),
        deliveredAt: iso(m.delivered_at),
        readAt: iso(m.read_at),
        failedAt: iso(m.failed_at),
        errorCode: m.error_code,
        errorTitle: m.error_title,
      })),
      ...payments.map((p): TimelineEntry => ({
        type: 'payment',
        at: p.initiated_exact,
        ...toAdminPayment(p),
      })),
      ...timers.map((t): TimelineEntry => ({
        type: 'timer',
        at: t.created_exact,
        id: String(t.id),
        machine: t.machine_kind,
        entityId: t.entity_id,
        key: t.key,
        event: sanitizeForLog(t.event),
        dueAt: new Date(t.due_at).toISOString(),
        status: t.status,
        firedAt: iso(t.fired_at),
      })),
    ];
    // Stable: entries of one kind keep their SQL order on equal timestamps.
    timeline.sort((a, b) =>
      a.at === b.at ? TYPE_ORDER[a.type] - TYPE_ORDER[b.type] : a.at < b.at ? -1 : 1,
    );

    return {
      invoice: {
        ...toAdminInvoice(invoice),
        description: invoice.description,
        version: invoice.version,
      },
      deliveries: deliveries.map((d) => ({
        id: d.id,
        purpose: d.purpose,
        state: d.state,
        deliveredVia: d.delivered_via,
        recipient: maskPhone(d.recipient),
        createdAt: new Date(d.created_at).toISOString(),
      })),
      timeline,
    };
  }
}
