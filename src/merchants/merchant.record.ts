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
