import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../../database/sql';
import { DELIVERY_MACHINE_KIND } from '../../machines/delivery.machine';
import { MachineRunner } from '../../runtime/machine-runner';
import type { WhatsAppStatusEvent } from '../whatsapp/whatsapp-events';

/**
 * Feeds WhatsApp delivery statuses to the delivery policy. Call it for every status event
 * AFTER StatusRecorder has updated the messages row (the row is how a wamid finds its
 * delivery). Idempotent: each (status id, status) reaches the machine once.
 */
@Injectable()
export class DeliveryStatusHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: MachineRunner,
  ) {}

  async handle(event: WhatsAppStatusEvent): Promise<void> {
    if (event.status === 'sent') return;
    const [row] = await queryRows<{ delivery_id: string }>(
      this.dataSource,
      `SELECT d.id AS delivery_id FROM messages m JOIN deliveries d ON d.id = m.logical_id
        WHERE m.channel = 'whatsapp' AND m.provider_message_id = $1 AND m.direction = 'outbound'`,
      [event.id],
    );
    if (!row) return;
    const machineEvent =
      event.status === 'failed'
        ? { type: 'WA_FAILED', code: event.errors?.[0]?.code ?? null }
        : { type: 'DELIVERED', status: event.status };
    await this.runner.send(DELIVERY_MACHINE_KIND, row.delivery_id, machineEvent, {
      source: 'webhook:whatsapp',
      dedupeKey: `${event.id}:${event.status}`,
    });
  }
}
