import type { Locale } from '../config/app-config';

/** What request handlers know about the authenticated merchant. No secrets. */
export interface MerchantRecord {
  id: string;
  displayName: string;
  whatsappPhone: string;
  locale: Locale;
  allowPartialPayments: boolean;
  apiKeyPrefix: string | null;
}

export interface MerchantRow {
  id: string;
  display_name: string;
  whatsapp_phone: string;
  locale: Locale;
  allow_partial_payments: boolean;
  api_key_prefix: string | null;
}

export const MERCHANT_COLUMNS =
  'id, display_name, whatsapp_phone, locale, allow_partial_payments, api_key_prefix';

export function toMerchantRecord(row: MerchantRow): MerchantRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    whatsappPhone: row.whatsapp_phone,
    locale: row.locale,
    allowPartialPayments: row.allow_partial_payments,
    apiKeyPrefix: row.api_key_prefix,
  };
}
