import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DELIVERY_MACHINE_KIND } from '../../machines/delivery.machine';
import { MachineRunner } from '../../runtime/machine-runner';
import { MessageRepository } from '../message.repository';
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
    private readonly messages: MessageRepository,
  ) {}

  async handle(event: WhatsAppStatusEvent): Promise<void> {
    if (event.status === 'sent') return;
    const deliveryId = await this.messages.findDeliveryIdOfOutbound(
      this.dataSource.manager,
      'whatsapp',
      event.id,
    );
    if (!deliveryId) return;
    const machineEvent =
      event.status === 'failed'
        ? { type: 'WA_FAILED', code: event.errors?.[0]?.code ?? null }
        : { type: 'DELIVERED', status: event.status };
    await this.runner.send(DELIVERY_MACHINE_KIND, deliveryId, machineEvent, {
      source: 'webhook:whatsapp',
      dedupeKey: `${event.id}:${event.status}`,
    });
  }
}
