import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A Kenyan mobile number in E.164, e.g. +254712345678. The one form we store. */
export type KenyanMobile = string & { readonly __brand: 'KenyanMobile' };

export type PhoneProblem = 'empty' | 'not_a_number' | 'not_kenyan' | 'not_mobile';

export type PhoneParse = { ok: true; phone: KenyanMobile } | { ok: false; problem: PhoneProblem };

const PHONE_CHARS = /^[+\d][\d\s().-]*$/;

/**
 * Accepts 0712345678, 712345678, +254712345678, 254712345678, 0112345678, with spaces or dashes.
 * Both the 07xx and the 01xx ranges are M-PESA numbers.
 */
export function parseKenyanMobile(input: string): PhoneParse {
  const raw = input.trim();
  if (raw === '') return { ok: false, problem: 'empty' };
  if (!PHONE_CHARS.test(raw)) return { ok: false, problem: 'not_a_number' };
  const digits = raw.replace(/\D/g, '');
  const candidate = raw.startsWith('+')
    ? `+${digits}`
    : digits.startsWith('254') && digits.length === 12
      ? `+${digits}`
      : digits;
  const parsed = parsePhoneNumberFromString(candidate, 'KE');
  if (!parsed || !parsed.isPossible()) return { ok: false, problem: 'not_a_number' };
  if (parsed.country !== 'KE') return { ok: false, problem: 'not_kenyan' };
  if (!parsed.isValid() || parsed.getType() !== 'MOBILE')
    return { ok: false, problem: 'not_mobile' };
  return { ok: true, phone: parsed.number as KenyanMobile };
}

export function isKenyanMobile(input: string): boolean {
  return parseKenyanMobile(input).ok;
}

/** Daraja wants 2547XXXXXXXX (12 digits, no +). */
export function toDarajaMsisdn(phone: KenyanMobile | string): string {
  return phone.replace(/^\+/, '');
}

/** WhatsApp Cloud API ids are digits only (254...). */
export function toWhatsAppId(phone: KenyanMobile | string): string {
  return phone.replace(/^\+/, '');
}

/** Africa's Talking wants +254... */
export function toInternational(phone: string): string {
  return phone.startsWith('+') ? phone : `+${phone}`;
}

/** 0712 345 678 — how Kenyans write their numbers, for messages to people. */
export function formatNational(phone: KenyanMobile | string): string {
  const digits = phone.replace(/\D/g, '').replace(/^254/, '');
  return `0${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}
