import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable, Subject } from 'rxjs';
import { DataSource } from 'typeorm';
import { MachineRunner } from '../../runtime/machine-runner';
import { AfricasTalkingSimulatorState } from '../africastalking/africastalking-simulator.state';
import { WhatsAppSimulatorState } from '../whatsapp/whatsapp-simulator.state';
import {
  SandboxLiveQuery,
  type TimelineInvoice,
  type TimelineOutboxItem,
  type TimelineTransition,
} from './sandbox-live.query';

export interface LiveEvent {
  type: 'whatsapp' | 'sms' | 'machine';
  data: Record<string, unknown>;
}

export interface InvoiceTimeline {
  invoice: TimelineInvoice | null;
  transitions: TimelineTransition[];
  outbox: TimelineOutboxItem[];
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
    private readonly query: SandboxLiveQuery,
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
    const tx = this.dataSource.manager;
    const invoice = await this.query.newestInvoiceTo(tx, customerPhone);
    if (!invoice) return { invoice: null, transitions: [], outbox: [] };
    // Without its deliveries and payments the page still shows the invoice's own history.
    const related = await this.query.relatedMachineIds(tx, invoice.id).catch(() => []);
    const ids = [invoice.id, ...related];
    return {
      invoice,
      transitions: await this.query.transitionsOf(tx, ids),
      outbox: await this.query.outboxOf(tx, ids),
    };
  }
}
