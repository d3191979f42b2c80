/**
 * How long WhatsApp has to confirm delivery (a `delivered` or `read` status) before the SMS
 * goes out. Two minutes: long enough for a phone that is briefly offline, short enough that a
 * customer without data still gets the invoice while the merchant is waiting.
 */
export const DEFAULT_SMS_FALLBACK_AFTER_SECONDS = 120;

export const DELIVERY_OPTIONS = Symbol('DELIVERY_OPTIONS');

export interface DeliveryModuleOptions {
  /** Overrides DEFAULT_SMS_FALLBACK_AFTER_SECONDS (e.g. from an SMS_FALLBACK_AFTER_SECONDS env var). */
  smsFallbackAfterSeconds?: number;
}

export function fallbackAfterMs(options: DeliveryModuleOptions | undefined): number {
  const seconds = options?.smsFallbackAfterSeconds;
  return Number.isFinite(seconds) && seconds !== undefined && seconds >= 0
    ? Math.round(seconds * 1000)
    : DEFAULT_SMS_FALLBACK_AFTER_SECONDS * 1000;
}
