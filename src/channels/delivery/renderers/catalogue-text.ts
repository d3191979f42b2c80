import type { Locale } from '../../../config/app-config';
import { CATALOGUES, interpolate, type MessageKey } from '../../../common/i18n/catalogue';

/**
 * `t()` for catalogue texts built by string concatenation, whose placeholders the type of `t`
 * cannot see. Same lookup and fallback to English.
 */
export function text(
  locale: Locale,
  key: MessageKey,
  params: Record<string, string | number>,
): string {
  return interpolate(CATALOGUES[locale][key] ?? CATALOGUES.en[key], params);
}
