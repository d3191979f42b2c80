import { Injectable } from '@nestjs/common';
import { INVOICE_MACHINE_KIND } from '../../machines/invoice.machine';
import { MachineRunner } from '../../runtime/machine-runner';
import type { MachineEventLike, OutboxHandler, OutboxResult } from '../../runtime/outbox';
import type { OutboxRow } from '../../runtime/outbox';

/**
 * 'delivery.invoice_event': a delivery's news for its invoice (DELIVERY_ACCEPTED {channel},
 * DELIVERY_FAILED). Deduplicated per delivery by the key the delivery machine chose.
 */
@Injectable()
export class InvoiceEventHandler implements OutboxHandler {
  constructor(private readonly runner: MachineRunner) {}

  async handle(row: OutboxRow): Promise<OutboxResult> {
    const { invoiceId, event, dedupeKey } = row.payload as {
      invoiceId?: unknown;
      event?: MachineEventLike;
      dedupeKey?: unknown;
    };
    if (typeof invoiceId !== 'string' || !event || typeof event.type !== 'string')
      return { status: 'permanent', error: 'malformed delivery.invoice_event payload' };
    const result = await this.runner.send(INVOICE_MACHINE_KIND, invoiceId, event, {
      source: `delivery:${row.entityId ?? 'unknown'}`,
      dedupeKey: typeof dedupeKey === 'string' ? dedupeKey : `outbox:${row.id}`,
    });
    // Not accepted (a delivery news the invoice no longer cares about) is still an answer.
    if (!result.accepted && result.reason === 'unknown_kind')
      return { status: 'retry', error: 'the invoice machine is not registered in this process' };
    return { status: 'done' };
  }
}
