import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Locale } from '../config/app-config';
import { ConflictError, DomainError, NotFoundError } from '../common/http/domain-error';
import { maskPhone } from '../common/logging/redact';
import { parseKenyanMobile } from '../common/phone';
import { queryRows } from '../database/sql';
import { pgError, UNIQUE_VIOLATION, UUID_PATTERN } from './pg-error';
import { generateApiKey, hashApiKey, looksLikeApiKey } from './merchant-api-key';
import {
  MERCHANT_COLUMNS,
  type MerchantRecord,
  type MerchantRow,
  toMerchantRecord,
} from './merchant.record';

export interface CreateMerchantInput {
  displayName: string;
  whatsappPhone: string;
  locale?: Locale;
  allowPartialPayments?: boolean;
}

export interface MerchantWithKey {
  merchant: MerchantRecord;
  /** Shown once: only its hash is stored. */
  apiKey: string;
}

@Injectable()
export class MerchantsService {
  private readonly logger = new Logger(MerchantsService.name);

  constructor(private readonly dataSource: DataSource) {}

  async create(input: CreateMerchantInput): Promise<MerchantWithKey> {
    const phone = parseKenyanMobile(input.whatsappPhone);
    if (!phone.ok) {
      throw new DomainError(
        'invalid_phone',
        'whatsappPhone must be a Kenyan mobile number, e.g. 0712345678',
        HttpStatus.BAD_REQUEST,
      );
    }
    const displayName = input.displayName.trim();
    if (displayName.length < 1 || displayName.length > 100) {
      throw new DomainError(
        'invalid_display_name',
        'displayName must be 1 to 100 characters',
        HttpStatus.BAD_REQUEST,
      );
    }
    const key = generateApiKey();
    try {
      const rows = await queryRows<MerchantRow>(
        this.dataSource,
        `INSERT INTO merchants (display_name, whatsapp_phone, locale, allow_partial_payments, api_key_hash, api_key_prefix)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING ${MERCHANT_COLUMNS}`,
        [
          displayName,
          phone.phone,
          input.locale ?? 'en',
          input.allowPartialPayments ?? true,
          key.hash,
          key.prefix,
        ],
      );
      this.logger.log(`merchant ${rows[0].id} created for ${maskPhone(phone.phone)}`);
      return { merchant: toMerchantRecord(rows[0]), apiKey: key.key };
    } catch (error) {
      if (pgError(error).code === UNIQUE_VIOLATION) {
        throw new ConflictError(
          'merchant_exists',
          'A merchant with this WhatsApp number already exists',
        );
      }
      throw error;
    }
  }

  /** Replaces the merchant's key; the old one stops working at once. */
  async rotateApiKey(merchantId: string): Promise<MerchantWithKey> {
    const key = generateApiKey();
    const rows = await queryRows<MerchantRow>(
      this.dataSource,
      `UPDATE merchants SET api_key_hash = $2, api_key_prefix = $3, updated_at = now()
        WHERE id = $1 RETURNING ${MERCHANT_COLUMNS}`,
      [merchantId, key.hash, key.prefix],
    );
    if (!rows[0]) throw new NotFoundError('Merchant');
    return { merchant: toMerchantRecord(rows[0]), apiKey: key.key };
  }

  /** The merchant holding this key, or null. Looked up by hash: no secret comparison to time. */
  async findByApiKey(key: string | undefined | null): Promise<MerchantRecord | null> {
    if (!key || !looksLikeApiKey(key)) return null;
    const rows = await queryRows<MerchantRow>(
      this.dataSource,
      `SELECT ${MERCHANT_COLUMNS} FROM merchants WHERE api_key_hash = $1`,
      [hashApiKey(key)],
    );
    return rows[0] ? toMerchantRecord(rows[0]) : null;
  }

  async findById(id: string): Promise<MerchantRecord | null> {
    if (!UUID_PATTERN.test(id)) return null;
    const rows = await queryRows<MerchantRow>(
      this.dataSource,
      `SELECT ${MERCHANT_COLUMNS} FROM merchants WHERE id = $1`,
      [id],
    );
    return rows[0] ? toMerchantRecord(rows[0]) : null;
  }
}
