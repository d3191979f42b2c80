import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

export interface SavedCustomer {
  phone: string;
  name: string | null;
}

const MAX_MATCHES = 5;

/** A merchant's saved customers, looked up by number or by name. Never across merchants. */
@Injectable()
export class CustomerDirectory {
  async byPhone(
    manager: EntityManager,
    merchantId: string,
    phone: string,
  ): Promise<SavedCustomer | null> {
    const rows = await queryRows<SavedCustomer>(
      manager,
      `SELECT phone, name FROM customers WHERE merchant_id = $1 AND phone = $2`,
      [merchantId, phone],
    );
    return rows[0] ?? null;
  }

  /**
   * "John" matches "John" and "John Kamau" (whole first words), case-insensitively. An exact
   * match wins over first-word matches, so a saved "John" is not ambiguous with "John Kamau".
   */
  async byName(manager: EntityManager, merchantId: string, name: string): Promise<SavedCustomer[]> {
    const wanted = name.trim().toLowerCase();
    const rows = await queryRows<SavedCustomer>(
      manager,
      `SELECT phone, name FROM customers
        WHERE merchant_id = $1 AND name IS NOT NULL
          AND (lower(name) = $2 OR lower(name) LIKE $3)
        ORDER BY lower(name), phone
        LIMIT ${MAX_MATCHES + 1}`,
      [merchantId, wanted, `${wanted.replace(/[\\%_]/g, (c) => `\\${c}`)} %`],
    );
    const exact = rows.filter((r) => r.name?.toLowerCase() === wanted);
    return (exact.length > 0 ? exact : rows).slice(0, MAX_MATCHES);
  }

  async list(manager: EntityManager, merchantId: string, limit = 20): Promise<SavedCustomer[]> {
    return queryRows<SavedCustomer>(
      manager,
      `SELECT phone, name FROM customers WHERE merchant_id = $1
        ORDER BY lower(name) NULLS LAST, created_at LIMIT $2`,
      [merchantId, limit],
    );
  }
}
