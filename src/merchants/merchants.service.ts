import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Locale } from '../config/app-config';
import { ConflictError, DomainError, NotFoundError } from '../common/http/domain-error';
import { maskPhone } from '../common/logging/redact';
import { parseKenyanMobile } from '../common/phone';
import { isUuid } from '../common/text/uuid';
import { Clock } from '../runtime/clock';
import { generateApiKey, hashApiKey, looksLikeApiKey } from './merchant-api-key';
import type { MerchantRecord } from './merchant.record';
import { MerchantRepository } from './merchant.repository';

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

/** An operator's overview is capped: the list is for eyes, not for export. */
const LIST_LIMIT = 500;

/**
 * Merchants and their API keys. Writes join the caller's transaction; reads without one run on
 * their own connection.
 */
@Injectable()
export class MerchantsService {
  private readonly logger = new Logger(MerchantsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly merchants: MerchantRepository,
    private readonly clock: Clock,
  ) {}

  /** A merchant with a fresh API key; `merchant_exists` (409) when the number is taken. */
  async create(tx: EntityManager, input: CreateMerchantInput): Promise<MerchantWithKey> {
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
    const merchant = await this.merchants.insert(tx, {
      displayName,
      whatsappPhone: phone.phone,
      locale: input.locale ?? 'en',
      allowPartialPayments: input.allowPartialPayments ?? true,
      apiKeyHash: key.hash,
      apiKeyPrefix: key.prefix,
    });
    if (!merchant) {
      throw new ConflictError(
        'merchant_exists',
        'A merchant with this WhatsApp number already exists',
      );
    }
    this.logger.log(`merchant ${merchant.id} created for ${maskPhone(phone.phone)}`);
    return { merchant, apiKey: key.key };
  }

  /** Replaces the merchant's key; the old one stops working at once. 404 for an unknown id. */
  async rotateApiKey(tx: EntityManager, merchantId: string): Promise<MerchantWithKey> {
    if (!isUuid(merchantId)) throw new NotFoundError('Merchant');
    const key = generateApiKey();
    const merchant = await this.merchants.replaceApiKey(tx, merchantId, key);
    if (!merchant) throw new NotFoundError('Merchant');
    return { merchant, apiKey: key.key };
  }

  /** The merchant holding this key, or null. Looked up by hash: no secret comparison to time. */
  async findByApiKey(
    key: string | undefined | null,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<MerchantRecord | null> {
    if (!key || !looksLikeApiKey(key)) return null;
    return this.merchants.findByApiKeyHash(tx, hashApiKey(key));
  }

  async findById(
    id: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<MerchantRecord | null> {
    if (!isUuid(id)) return null;
    return this.merchants.findById(tx, id);
  }

  /** The merchant whose own number this is (E.164), or null: the bot's test for "a merchant wrote". */
  findByWhatsappPhone(
    phone: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<MerchantRecord | null> {
    return this.merchants.findByWhatsappPhone(tx, phone);
  }

  /** Newest first, at most 500. */
  list(tx: EntityManager = this.dataSource.manager): Promise<MerchantRecord[]> {
    return this.merchants.listNewestFirst(tx, LIST_LIMIT);
  }

  /** The merchant's stored reminder settings as saved (null: the defaults); invoices parse them. */
  reminderSettings(tx: EntityManager, merchantId: string): Promise<unknown> {
    return this.merchants.reminderSettings(tx, merchantId);
  }

  /** The language the bot uses with the merchant and with the merchant's customers. */
  setLocale(tx: EntityManager, merchantId: string, locale: Locale): Promise<void> {
    return this.merchants.setLocale(tx, merchantId, locale, this.clock.now());
  }

  /** The merchant's number wrote to us at `sentAt`: its WhatsApp window is open. 0 or 1 matched. */
  touchLastInbound(tx: EntityManager, phone: string, sentAt: Date): Promise<number> {
    return this.merchants.touchLastInbound(tx, phone, sentAt);
  }
}
