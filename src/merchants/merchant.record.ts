import type { Locale } from '../config/app-config';

/** What request handlers know about the authenticated merchant. No secrets. */
export interface MerchantRecord {
  id: string;
  displayName: string;
  whatsappPhone: string;
  locale: Locale;
  allowPartialPayments: boolean;
  apiKeyPrefix: string | null;
  createdAt: Date;
}

/**
 * @deprecated Until conversations/bot.service.ts reads through MerchantsService.findByWhatsappPhone
 * (issue 14): the statements on `merchants` belong to MerchantRepository.
 */
export { MERCHANT_COLUMNS, type MerchantRow, toMerchantRecord } from './merchant.repository';
