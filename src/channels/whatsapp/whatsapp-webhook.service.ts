import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { InboundEventInput } from '../../runtime/inbound-queue';
import { InboundQueue } from '../../runtime/inbound-queue';
import { RuntimeSignals } from '../../runtime/runtime-signals';
import type { WhatsAppWebhookEvent } from './whatsapp-events';
import { parseWhatsAppWebhook } from './whatsapp-webhook.parser';

export const WHATSAPP_PROVIDER = 'whatsapp';
/** Unknown payloads are kept for diagnosis, but not when they are large. */
const MAX_STORED_UNKNOWN_BYTES = 64 * 1024;

/** The dedupe key PROTOCOLS.md §2 prescribes: message id, or (status id, status). */
export function externalIdOf(
  event: WhatsAppWebhookEvent,
  rawBodyHash: string,
  unknownIndex: number,
): string {
  switch (event.kind) {
    case 'message':
      return event.id;
    case 'status':
      return `${event.id}:${event.status}`;
    case 'unknown':
      return unknownIndex === 0 ? rawBodyHash : `${rawBodyHash}:${unknownIndex}`;
  }
}

/**
 * Webhook ingestion: each event becomes one inbound_events row and, when new, one
 * 'inbound.whatsapp' outbox row, in one transaction; then Meta gets its answer (it wants one in
 * well under a second). The outbox dispatcher hands the events on (see src/inbound/), with its
 * retries and dead rows. Events we cannot act on (unknown shapes) are only recorded.
 */
@Injectable()
export class WhatsAppWebhookService {
  constructor(
    private readonly signals: RuntimeSignals,
    private readonly inbound: InboundQueue,
  ) {}

  /** Body already authenticated. Resolves once the events are durably recorded. */
  async receive(body: unknown, rawBody: Buffer): Promise<{ received: number }> {
    const events = parseWhatsAppWebhook(body);
    const hash = createHash('sha256').update(rawBody).digest('hex');
    const rows = new Map<string, InboundEventInput>();
    let unknownIndex = 0;
    for (const event of events) {
      const externalId = externalIdOf(event, hash, event.kind === 'unknown' ? unknownIndex++ : 0);
      if (rows.has(externalId)) continue;
      if (event.kind === 'unknown') {
        const payload = rawBody.length <= MAX_STORED_UNKNOWN_BYTES ? { ...event, body } : event;
        rows.set(externalId, { externalId, payload, recordOnly: true });
      } else {
        rows.set(externalId, { externalId, payload: event });
      }
    }
    await this.signals.transaction((tx) =>
      this.inbound.record(tx, WHATSAPP_PROVIDER, [...rows.values()]),
    );
    return { received: events.length };
  }
}

/** Events are stored as JSON: dates come back as strings. */
export function eventFromPayload(payload: unknown): WhatsAppWebhookEvent {
  const p = (payload ?? {}) as Record<string, unknown>;
  if ((p.kind === 'message' || p.kind === 'status') && typeof p.timestamp === 'string')
    return {
      ...(p as unknown as WhatsAppWebhookEvent),
      timestamp: new Date(p.timestamp),
    } as WhatsAppWebhookEvent;
  return { kind: 'unknown', reason: typeof p.reason === 'string' ? p.reason : 'stored payload' };
}
