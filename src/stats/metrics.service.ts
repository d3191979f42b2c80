import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock } from '../runtime/clock';
import { RETRIED_INBOUND_PROVIDERS } from '../runtime/inbound-retries';
import { MachineRunner } from '../runtime/machine-runner';
import { MetricsQuery } from './metrics.query';
import { providerRegistry } from './provider-metrics';

/** Inbound events that reach a handler: SMS (inbound messages, delivery reports), WhatsApp. */
const INBOUND_KINDS = [
  ['africastalking', 'inbound'],
  ['africastalking', 'status'],
  ['whatsapp', 'message'],
  ['whatsapp', 'status'],
] as const;

/**
 * Prometheus series. Labels never carry phone numbers, names, refs or ids: only kinds, states,
 * route patterns, status codes and provider result codes. Database-derived gauges are read
 * when Prometheus scrapes, so they cost nothing between scrapes.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'invoiceiq_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly smsFallbacks = new Counter({
    name: 'invoiceiq_sms_fallbacks_total',
    help: 'Messages that WhatsApp did not deliver and that went by SMS instead',
    registers: [this.registry],
  });

  readonly transitions = new Counter({
    name: 'invoiceiq_machine_transitions_total',
    help: 'Events applied to persisted machines, by kind, from and to state, and whether accepted',
    labelNames: ['kind', 'from', 'to', 'accepted'] as const,
    registers: [this.registry],
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly figures: MetricsQuery,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
  ) {
    const outboxDepth = new Gauge({
      name: 'invoiceiq_outbox_rows',
      help: 'Outbox rows by kind and status (pending, running, dead)',
      labelNames: ['kind', 'status'] as const,
      registers: [this.registry],
    });
    const outboxOldest = new Gauge({
      name: 'invoiceiq_outbox_oldest_age_seconds',
      help: 'Age of the oldest pending or running outbox row, by kind',
      labelNames: ['kind'] as const,
      registers: [this.registry],
    });
    const timersDue = new Gauge({
      name: 'invoiceiq_timers_due',
      help: 'Timers that are due and not yet fired',
      registers: [this.registry],
    });
    const payments = new Gauge({
      name: 'invoiceiq_payments',
      help: 'Payments by status and M-PESA outcome',
      labelNames: ['status', 'outcome'] as const,
      registers: [this.registry],
    });
    const messages = new Gauge({
      name: 'invoiceiq_messages',
      help: 'Outbound messages by channel and status (SMS rows are WhatsApp fallbacks or SMS-only sends)',
      labelNames: ['channel', 'status'] as const,
      registers: [this.registry],
    });

    const inbound = new Gauge({
      name: 'invoiceiq_inbound_events',
      help: 'Inbound SMS and WhatsApp events not processed, by provider, kind and status (pending: to be handled or retried; dead: out of attempts, see GET /admin/inbound-events)',
      labelNames: ['provider', 'kind', 'status'] as const,
      registers: [this.registry],
    });
    const inboundOldest = new Gauge({
      name: 'invoiceiq_inbound_oldest_pending_age_seconds',
      help: 'Age of the oldest pending (not processed, not dead) inbound SMS or WhatsApp event, by provider and kind',
      labelNames: ['provider', 'kind'] as const,
      registers: [this.registry],
    });

    const rollupDirtyHours = new Gauge({
      name: 'invoiceiq_stats_rollup_dirty_hours',
      help: 'Hours of invoice creation changed since the /stats/summary rollup last stored them (counted live until then)',
      registers: [this.registry],
    });
    const rollupLag = new Gauge({
      name: 'invoiceiq_stats_rollup_lag_seconds',
      help: 'Age of the oldest change the /stats/summary rollup has not stored yet (0 when up to date)',
      registers: [this.registry],
    });

    // One round of queries per scrape refreshes every database gauge.
    const refresh = async (): Promise<void> => {
      const now = this.clock.now();
      const db = this.dataSource.manager;
      const [outbox, due, pay, msg, rollup, pendingInbound] = await Promise.all([
        this.figures.outboxDepth(db),
        this.figures.dueTimers(db, now),
        this.figures.payments(db),
        this.figures.outboundMessages(db),
        this.figures.rollupBacklog(db),
        // STK callbacks and the internal ledgers are not handed to a handler and are left out.
        this.figures.openInboundEvents(db, RETRIED_INBOUND_PROVIDERS),
      ]);
      outboxDepth.reset();
      outboxOldest.reset();
      for (const row of outbox) {
        outboxDepth.set({ kind: row.kind, status: row.status }, Number(row.n));
        if (row.status !== 'dead') {
          const age = (now.getTime() - new Date(row.oldest).getTime()) / 1000;
          outboxOldest.set({ kind: row.kind }, Math.max(age, 0));
        }
      }
      timersDue.set(due);
      payments.reset();
      for (const row of pay)
        payments.set({ status: row.status, outcome: row.outcome ?? 'none' }, Number(row.n));
      rollupDirtyHours.set(rollup.hours);
      rollupLag.set(Math.max(rollup.lagSeconds, 0));
      messages.reset();
      for (const row of msg)
        messages.set({ channel: row.channel, status: row.status }, Number(row.n));
      inbound.reset();
      inboundOldest.reset();
      // Always present, so that an alert on a change sees the step from 0.
      for (const [provider, kind] of INBOUND_KINDS) {
        inboundOldest.set({ provider, kind }, 0);
        for (const status of ['pending', 'dead']) inbound.set({ provider, kind, status }, 0);
      }
      for (const row of pendingInbound) {
        inbound.set({ provider: row.provider, kind: row.kind, status: row.status }, Number(row.n));
        if (row.status === 'pending') {
          const age = (now.getTime() - new Date(row.oldest).getTime()) / 1000;
          inboundOldest.set({ provider: row.provider, kind: row.kind }, Math.max(age, 0));
        }
      }
    };
    this.refreshDatabaseGauges = refresh;
  }

  private readonly refreshDatabaseGauges: () => Promise<void>;

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'invoiceiq_' });
    this.runner.onTransition((t) => {
      this.transitions.inc({
        kind: t.kind,
        from: t.from ?? 'none',
        to: t.to ?? 'none',
        accepted: String(t.accepted),
      });
      // A delivery that is SMS-only from the start enters SMS_PENDING at creation: not a fallback.
      const fromWhatsApp = t.from !== null && t.from !== 'ROUTING' && t.from !== 'SMS_PENDING';
      if (t.accepted && t.kind === 'delivery' && t.to === 'SMS_PENDING' && fromWhatsApp) {
        this.smsFallbacks.inc();
      }
    });
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    await this.refreshDatabaseGauges();
    const body = `${await this.registry.metrics()}\n${await providerRegistry.metrics()}`;
    return { contentType: this.registry.contentType, body };
  }
}
