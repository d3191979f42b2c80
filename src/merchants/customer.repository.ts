import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import type { SavedCustomer } from './customer.record';

/** Every statement on `customers`. Lookups are per merchant: never across merchants. */
@Injectable()
export class CustomerRepository {
  /** Saves the number for the merchant, or finds it; a name given earlier is kept. The customer id. */
  async upsert(
    tx: EntityManager,
    merchantId: string,
    customer: SavedCustomer,
    at: Date,
  ): Promise<string> {
    const [row] = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO customers (merchant_id, phone, name, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (merchant_id, phone)
       DO UPDATE SET name = COALESCE(customers.name, EXCLUDED.name), updated_at = EXCLUDED.updated_at
       RETURNING id`,
      [merchantId, customer.phone, customer.name, at],
    );
    return row.id;
  }

  async findByPhone(
    tx: EntityManager,
    merchantId: string,
    phone: string,
  ): Promise<SavedCustomer | null> {
    const [row] = await queryRows<SavedCustomer>(
      tx,
      `SELECT phone, name FROM customers WHERE merchant_id = $1 AND phone = $2`,
      [merchantId, phone],
    );
    return row ?? null;
  }

  /** Named exactly `name` or starting with it as a whole first word, case-insensitively. */
  findByNameOrFirstWord(
    tx: EntityManager,
    merchantId: string,
    name: string,
    limit: number,
  ): Promise<SavedCustomer[]> {
    const wanted = name.toLowerCase();
    return queryRows<SavedCustomer>(
      tx,
      `SELECT phone, name FROM customers
        WHERE merchant_id = $1 AND name IS NOT NULL
          AND (lower(name) = $2 OR lower(name) LIKE $3)
        ORDER BY lower(name), phone
        LIMIT $4`,
      [merchantId, wanted, `${wanted.replace(/[\\%_]/g, (c) => `\\${c}`)} %`, limit],
    );
  }

  /** Named ones alphabetically, then the unnamed in the order they were saved. */
  list(tx: EntityManager, merchantId: string, limit: number): Promise<SavedCustomer[]> {
    return queryRows<SavedCustomer>(
      tx,
      `SELECT phone, name FROM customers WHERE merchant_id = $1
        ORDER BY lower(name) NULLS LAST, created_at LIMIT $2`,
      [merchantId, limit],
    );
  }

  /** Marks the number opted out at every merchant that saved it (first STOP wins). */
  async optOut(tx: EntityManager, phone: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE customers SET opted_out_at = $2, updated_at = $2
        WHERE phone = $1 AND opted_out_at IS NULL`,
      [phone, at],
    );
  }

  /**
   * Opens (or extends) the 24-hour WhatsApp window of this number at every merchant that saved
   * it. The message time, not the arrival time, counts: a webhook retried hours later must not
   * extend it. Capped at now() against provider clock skew, and never moved backwards. Answers
   * how many customer rows matched.
   */
  async touchLastInbound(tx: EntityManager, phone: string, sentAt: Date): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `WITH at AS (SELECT LEAST($2::timestamptz, now()) AS t)
       UPDATE customers SET last_inbound_at = GREATEST(COALESCE(last_inbound_at, at.t), at.t),
              updated_at = now()
         FROM at WHERE phone = $1 RETURNING id`,
      [phone, sentAt],
    );
    return rows.length;
  }
}
