import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Locale } from '../config/app-config';
import { queryRows } from '../database/sql';
import type { MerchantRecord } from './merchant.record';

interface MerchantRow {
  id: string;
  display_name: string;
  whatsapp_phone: string;
  locale: Locale;
  allow_partial_payments: boolean;
  api_key_prefix: string | null;
  created_at: Date;
}

const MERCHANT_COLUMNS =
  'id, display_name, whatsapp_phone, locale, allow_partial_payments, api_key_prefix, created_at';

function toMerchantRecord(row: MerchantRow): MerchantRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    whatsappPhone: row.whatsapp_phone,
    locale: row.locale,
    allowPartialPayments: row.allow_partial_payments,
    apiKeyPrefix: row.api_key_prefix,
    createdAt: new Date(row.created_at),
  };
}

export interface NewMerchant {
  displayName: string;
  /** E.164. */
  whatsappPhone: string;
  locale: Locale;
  allowPartialPayments: boolean;
  apiKeyHash: string;
  apiKeyPrefix: string;
}

/** Every statement on `merchants`. */
@Injectable()
export class MerchantRepository {
  /**
   * Null when the WhatsApp number (or the key hash) is already taken. DO NOTHING rather than a
   * unique violation, so the caller's transaction stays usable after the refusal.
   */
  async insert(tx: EntityManager, merchant: NewMerchant): Promise<MerchantRecord | null> {
    const [row] = await queryRows<MerchantRow>(
      tx,
      `INSERT INTO merchants (display_name, whatsapp_phone, locale, allow_partial_payments, api_key_hash, api_key_prefix)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING
       RETURNING ${MERCHANT_COLUMNS}`,
      [
        merchant.displayName,
        merchant.whatsappPhone,
        merchant.locale,
        merchant.allowPartialPayments,
        merchant.apiKeyHash,
        merchant.apiKeyPrefix,
      ],
    );
    return row ? toMerchantRecord(row) : null;
  }

  /** Null when no merchant has this id. */
  async replaceApiKey(
    tx: EntityManager,
    id: string,
    key: { hash: string; prefix: string },
  ): Promise<MerchantRecord | null> {
    const [row] = await queryRows<MerchantRow>(
      tx,
      `UPDATE merchants SET api_key_hash = $2, api_key_prefix = $3, updated_at = now()
        WHERE id = $1 RETURNING ${MERCHANT_COLUMNS}`,
      [id, key.hash, key.prefix],
    );
    return row ? toMerchantRecord(row) : null;
  }

  findById(tx: EntityManager, id: string): Promise<MerchantRecord | null> {
    return this.one(tx, 'id = $1', id);
  }

  findByApiKeyHash(tx: EntityManager, hash: string): Promise<MerchantRecord | null> {
    return this.one(tx, 'api_key_hash = $1', hash);
  }

  findByWhatsappPhone(tx: EntityManager, phone: string): Promise<MerchantRecord | null> {
    return this.one(tx, 'whatsapp_phone = $1', phone);
  }

  async listNewestFirst(tx: EntityManager, limit: number): Promise<MerchantRecord[]> {
    const rows = await queryRows<MerchantRow>(
      tx,
      `SELECT ${MERCHANT_COLUMNS} FROM merchants ORDER BY created_at DESC, id LIMIT $1`,
      [limit],
    );
    return rows.map(toMerchantRecord);
  }

  /** The raw `reminder_settings` document (null when the merchant kept the defaults). */
  async reminderSettings(tx: EntityManager, id: string): Promise<unknown> {
    const [row] = await queryRows<{ reminder_settings: unknown }>(
      tx,
      `SELECT reminder_settings FROM merchants WHERE id = $1`,
      [id],
    );
    return row?.reminder_settings ?? null;
  }

  async setLocale(tx: EntityManager, id: string, locale: Locale, at: Date): Promise<void> {
    await tx.query(`UPDATE merchants SET locale = $2, updated_at = $3 WHERE id = $1`, [
      id,
      locale,
      at,
    ]);
  }

  /**
   * Opens (or extends) the merchant's 24-hour WhatsApp window. The message time, not the arrival
   * time, counts: a webhook retried hours later must not extend it. Capped at now() against
   * provider clock skew, and never moved backwards. Answers how many merchants matched (0 or 1).
   */
  async touchLastInbound(tx: EntityManager, phone: string, sentAt: Date): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `WITH at AS (SELECT LEAST($2::timestamptz, now()) AS t)
       UPDATE merchants SET last_inbound_at = GREATEST(COALESCE(last_inbound_at, at.t), at.t),
              updated_at = now()
         FROM at WHERE whatsapp_phone = $1 RETURNING id`,
      [phone, sentAt],
    );
    return rows.length;
  }

  private async one(
    tx: EntityManager,
    condition: string,
    value: string,
  ): Promise<MerchantRecord | null> {
    const [row] = await queryRows<MerchantRow>(
      tx,
      `SELECT ${MERCHANT_COLUMNS} FROM merchants WHERE ${condition}`,
      [value],
    );
    return row ? toMerchantRecord(row) : null;
  }
}
