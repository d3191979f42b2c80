import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SendOutcome } from '../common/messaging/channel.port';

/**
 * Provider call metrics. The clients are plain classes that must not depend on the metrics
 * module, so these live in one process-wide registry that GET /metrics appends.
 * Labels: provider, operation, and the provider's own result code — never a phone or an id.
 */
export const providerRegistry = new Registry();

const calls = new Histogram({
  name: 'invoiceiq_provider_request_duration_seconds',
  help: 'Calls to WhatsApp, Africa’s Talking and Daraja by provider, operation and result',
  labelNames: ['provider', 'operation', 'result'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
  registers: [providerRegistry],
});

const errors = new Counter({
  name: 'invoiceiq_provider_errors_total',
  help: 'Provider calls that did not succeed, by provider, operation and provider code',
  labelNames: ['provider', 'operation', 'code'] as const,
  registers: [providerRegistry],
});

const circuits = new Gauge({
  name: 'invoiceiq_provider_circuit_state',
  help: 'Circuit breaker of a provider operation: 0 closed, 1 half-open (one trial call), 2 open (calls refused locally)',
  labelNames: ['provider', 'operation'] as const,
  registers: [providerRegistry],
});

export type Provider = 'whatsapp' | 'sms' | 'daraja';

export type CircuitStateName = 'closed' | 'half_open' | 'open';

const CIRCUIT_VALUE: Record<CircuitStateName, number> = { closed: 0, half_open: 1, open: 2 };

/** The state of one operation's breaker (Daraja: token, push, query), for alerting. */
export function observeCircuit(
  provider: Provider,
  operation: string,
  state: CircuitStateName,
): void {
  circuits.set({ provider, operation }, CIRCUIT_VALUE[state]);
}

/** `code` is the provider's code (131047, 403, 500.001.1001, timeout…) when the call failed. */
export function observeProviderCall(
  provider: Provider,
  operation: string,
  startedAt: number,
  code?: string,
): void {
  const seconds = (performance.now() - startedAt) / 1000;
  calls.observe({ provider, operation, result: code === undefined ? 'ok' : 'error' }, seconds);
  if (code !== undefined) errors.inc({ provider, operation, code: code.slice(0, 40) });
}

export function observeSend(provider: Provider, startedAt: number, outcome: SendOutcome): void {
  observeProviderCall(
    provider,
    'send',
    startedAt,
    outcome.status === 'accepted' ? undefined : outcome.code,
  );
}
