import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../../database/sql';

export interface TimelineInvoice {
  id: string;
  ref: string;
  state: string;
  amount: number;
  amountPaid: number;
}

export interface TimelineTransition {
  at: string;
  machine: string;
  from: string | null;
  to: string | null;
  event: string;
  source: string;
  accepted: boolean;
}

export interface TimelineOutboxItem {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

/** What the /sandbox page shows of the invoice in view: read only, across the tables it spans. */
@Injectable()
export class SandboxLiveQuery {
  /** The newest invoice to this customer phone (E.164), or null. */
  async newestInvoiceTo(tx: EntityManager, customerPhone: string): Promise<TimelineInvoice | null> {
    const [row] = await queryRows<{
      id: string;
      ref: string;
      state: string;
      amount: number;
      amount_paid: number;
    }>(
      tx,
      `SELECT id, ref, state, amount, amount_paid FROM invoices WHERE customer_phone = $1 ORDER BY created_at DESC LIMIT 1`,
      [customerPhone],
    );
    if (!row) return null;
    return {
      id: row.id,
      ref: row.ref,
      state: row.state,
      amount: Number(row.amount),
      amountPaid: Number(row.amount_paid),
    };
  }

  /** The ids of the invoice's deliveries and payments: the other machines of its story. */
  async relatedMachineIds(tx: EntityManager, invoiceId: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `SELECT id::text AS id FROM deliveries WHERE invoice_id = $1
       UNION ALL SELECT id::text FROM payments WHERE invoice_id = $1`,
      [invoiceId],
    );
    return rows.map((r) => r.id);
  }

  async transitionsOf(tx: EntityManager, entityIds: string[]): Promise<TimelineTransition[]> {
    const rows = await queryRows<{
      at: Date;
      machine_kind: string;
      from_state: string | null;
      to_state: string | null;
      event_type: string;
      source: string;
      accepted: boolean;
    }>(
      tx,
      `SELECT at, machine_kind, from_state, to_state, event_type, source, accepted FROM transitions
        WHERE entity_id = ANY($1::text[]) ORDER BY id`,
      [entityIds],
    );
    return rows.map((t) => ({
      at: new Date(t.at).toISOString(),
      machine: t.machine_kind,
      from: t.from_state,
      to: t.to_state,
      event: t.event_type,
      source: t.source,
      accepted: t.accepted,
    }));
  }

  async outboxOf(tx: EntityManager, entityIds: string[]): Promise<TimelineOutboxItem[]> {
    const rows = await queryRows<{
      id: string;
      kind: string;
      status: string;
      attempts: number;
      last_error: string | null;
      created_at: Date;
    }>(
      tx,
      `SELECT id, kind, status, attempts, last_error, created_at FROM outbox WHERE entity_id = ANY($1::text[]) ORDER BY id`,
      [entityIds],
    );
    return rows.map((o) => ({
      id: o.id,
      kind: o.kind,
      status: o.status,
      attempts: o.attempts,
      lastError: o.last_error,
      createdAt: new Date(o.created_at).toISOString(),
    }));
  }
}
