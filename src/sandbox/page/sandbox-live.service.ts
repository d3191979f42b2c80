import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable, Subject } from 'rxjs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../database/sql';
import { MachineRunner } from '../../runtime/machine-runner';
import { AfricasTalkingSimulatorState } from '../africastalking/africastalking-simulator.state';
import { WhatsAppSimulatorState } from '../whatsapp/whatsapp-simulator.state';

export interface LiveEvent {
  type: 'whatsapp' | 'sms' | 'machine';
  data: Record<string, unknown>;
}

export interface InvoiceTimeline {
  invoice: { id: string; ref: string; state: string; amount: number; amountPaid: number } | null;
  transitions: {
    at: string;
    machine: string;
    from: string | null;
    to: string | null;
    event: string;
    source: string;
    accepted: boolean;
  }[];
  outbox: {
    id: string;
    kind: string;
    status: string;
    attempts: number;
    lastError: string | null;
    createdAt: string;
  }[];
}

/**
 * Feeds the /sandbox page: simulator chat and inbox changes and machine transitions as one
 * stream (server-sent events), and the timeline of the invoice in view.
 */
@Injectable()
export class SandboxLiveService implements OnModuleDestroy {
  private readonly subject = new Subject<LiveEvent>();
  private readonly stop: (() => void)[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    whatsapp: WhatsAppSimulatorState,
    sms: AfricasTalkingSimulatorState,
    runner: MachineRunner,
  ) {
    const onTranscript = (e: { phone: string }) =>
      this.subject.next({ type: 'whatsapp', data: { phone: e.phone } });
    const onInbox = (e: { phone: string }) =>
      this.subject.next({ type: 'sms', data: { phone: e.phone } });
    whatsapp.events.on('transcript', onTranscript);
    sms.events.on('inbox', onInbox);
    this.stop.push(() => whatsapp.events.off('transcript', onTranscript));
    this.stop.push(() => sms.events.off('inbox', onInbox));
    this.stop.push(
      runner.onTransition((t) =>
        this.subject.next({
          type: 'machine',
          data: { kind: t.kind, from: t.from, to: t.to, event: t.eventType },
        }),
      ),
    );
  }

  events(): Observable<LiveEvent> {
    return this.subject.asObservable();
  }

  onModuleDestroy(): void {
    this.stop.forEach((s) => s());
    this.subject.complete();
  }

  /** The newest invoice to this customer phone (E.164) and everything that happened to it. */
  async timeline(customerPhone: string): Promise<InvoiceTimeline> {
    const [invoice] = await queryRows<{
      id: string;
      ref: string;
      state: string;
      amount: number;
      amount_paid: number;
    }>(
      this.dataSource,
      `SELECT id, ref, state, amount, amount_paid FROM invoices WHERE customer_phone = $1 ORDER BY created_at DESC LIMIT 1`,
      [customerPhone],
    );
    if (!invoice) return { invoice: null, transitions: [], outbox: [] };
    const entities = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id::text AS id FROM deliveries WHERE invoice_id = $1
       UNION ALL SELECT id::text FROM payments WHERE invoice_id = $1`,
      [invoice.id],
    ).catch(() => [] as { id: string }[]);
    const ids = [invoice.id, ...entities.map((e) => e.id)];
    const transitions = await queryRows<{
      at: Date;
      machine_kind: string;
      from_state: string | null;
      to_state: string | null;
      event_type: string;
      source: string;
      accepted: boolean;
    }>(
      this.dataSource,
      `SELECT at, machine_kind, from_state, to_state, event_type, source, accepted FROM transitions
        WHERE entity_id = ANY($1::text[]) ORDER BY id`,
      [ids],
    );
    const outbox = await queryRows<{
      id: string;
      kind: string;
      status: string;
      attempts: number;
      last_error: string | null;
      created_at: Date;
    }>(
      this.dataSource,
      `SELECT id, kind, status, attempts, last_error, created_at FROM outbox WHERE entity_id = ANY($1::text[]) ORDER BY id`,
      [ids],
    );
    return {
      invoice: {
        id: invoice.id,
        ref: invoice.ref,
        state: invoice.state,
        amount: Number(invoice.amount),
        amountPaid: Number(invoice.amount_paid),
      },
      transitions: transitions.map((t) => ({
        at: new Date(t.at).toISOString(),
        machine: t.machine_kind,
        from: t.from_state,
        to: t.to_state,
        event: t.event_type,
        source: t.source,
        accepted: t.accepted,
      })),
      outbox: outbox.map((o) => ({
        id: o.id,
        kind: o.kind,
        status: o.status,
        attempts: o.attempts,
        lastError: o.last_error,
        createdAt: new Date(o.created_at).toISOString(),
      })),
    };
  }
}
