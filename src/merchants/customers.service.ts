import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../runtime/clock';
import type { SavedCustomer } from './customer.record';
import { CustomerRepository } from './customer.repository';

const MAX_NAME_MATCHES = 5;
const DEFAULT_LIST_SIZE = 20;

/** A merchant's saved customers. Every method joins the caller's transaction. */
@Injectable()
export class CustomersService {
  constructor(
    private readonly customers: CustomerRepository,
    private readonly clock: Clock,
  ) {}

  /** Saves the number for the merchant (keeping a name given earlier); the customer id. */
  remember(
    tx: EntityManager,
    merchantId: string,
    customer: SavedCustomer,
    at: Date = this.clock.now(),
  ): Promise<string> {
    return this.customers.upsert(tx, merchantId, customer, at);
  }

  findByPhone(tx: EntityManager, merchantId: string, phone: string): Promise<SavedCustomer | null> {
    return this.customers.findByPhone(tx, merchantId, phone);
  }

  /**
   * "John" matches "John" and "John Kamau" (whole first words), case-insensitively. An exact
   * match wins over first-word matches, so a saved "John" is not ambiguous with "John Kamau".
   * At most five.
   */
  async findByName(tx: EntityManager, merchantId: string, name: string): Promise<SavedCustomer[]> {
    const wanted = name.trim().toLowerCase();
    const rows = await this.customers.findByNameOrFirstWord(
      tx,
      merchantId,
      wanted,
      MAX_NAME_MATCHES + 1,
    );
    const exact = rows.filter((r) => r.name?.toLowerCase() === wanted);
    return (exact.length > 0 ? exact : rows).slice(0, MAX_NAME_MATCHES);
  }

  list(tx: EntityManager, merchantId: string, limit = DEFAULT_LIST_SIZE): Promise<SavedCustomer[]> {
    return this.customers.list(tx, merchantId, limit);
  }

  /** STOP: no more reminders to this number from any merchant that saved it. */
  optOut(tx: EntityManager, phone: string): Promise<void> {
    return this.customers.optOut(tx, phone, this.clock.now());
  }

  /** The number wrote to us at `sentAt`: its WhatsApp window is open. How many rows matched. */
  touchLastInbound(tx: EntityManager, phone: string, sentAt: Date): Promise<number> {
    return this.customers.touchLastInbound(tx, phone, sentAt);
  }
}
