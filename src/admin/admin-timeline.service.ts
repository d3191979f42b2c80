import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { maskPhone, sanitizeForLog } from '../common/logging/redact';
import { type AdminPayment, toAdminPayment } from './admin-payments.service';
import {
  AdminInvoicesService,
  type AdminInvoiceItem,
  toAdminInvoice,
} from './admin-invoices.service';
import { AdminTimelineQuery } from './admin-timeline.query';

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
    private readonly history: AdminTimelineQuery,
  ) {}

  async forRef(ref: string): Promise<InvoiceTimeline> {
    const invoice = await this.invoices.getByRef(ref);
    const tx = this.dataSource.manager;
    const deliveries = await this.history.deliveries(tx, invoice.id);
    const payments = await this.history.payments(tx, invoice.id);
    const deliveryIds = deliveries.map((d) => d.id);
    const entityIds = [invoice.id, ...deliveryIds, ...payments.map((p) => p.id)];
    const transitions = await this.history.transitions(tx, entityIds);
    const messages = await this.history.messages(tx, invoice.id, deliveryIds);
    const timers = await this.history.timers(tx, entityIds);

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
