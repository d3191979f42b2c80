import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OutboundMessagePayload } from '../common/messaging/outbound-message';

/** A message to create a delivery for, in the caller's transaction. */
export interface DeliveryRequest {
  /** Unique forever: the same key twice is one delivery. */
  key: string;
  /** Audit source of the delivery machine's start, e.g. "conversation" or "bot". */
  source: string;
  message: OutboundMessagePayload;
}

export type Deliver = (tx: EntityManager, request: DeliveryRequest) => Promise<void>;

/**
 * Where a `deliver` effect (and a bot reply outside a machine) becomes a delivery. The runtime
 * knows no channel: the delivery module plugs its implementation in at start-up, as handlers
 * register outbox kinds.
 */
@Injectable()
export class DeliverPort {
  private implementation?: Deliver;

  implement(deliver: Deliver): void {
    if (this.implementation) throw new Error('the deliver port has two implementations');
    this.implementation = deliver;
  }

  get implemented(): boolean {
    return this.implementation !== undefined;
  }

  deliver(tx: EntityManager, request: DeliveryRequest): Promise<void> {
    // A message asked for with nothing to deliver it would be lost silently.
    if (!this.implementation)
      throw new Error('no delivery module is mounted to deliver messages (DeliverPort)');
    return this.implementation(tx, request);
  }
}
