import { randomBytes, randomInt } from 'node:crypto';

/** A–Z and 2–9 without 0/O and 1/I, which people misread when typing a ref back. */
export const REF_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const REF_LENGTH = 6;
export const REF_PATTERN = new RegExp(`^INV-[${REF_ALPHABET}]{${REF_LENGTH}}$`);

/** `INV-7KQ2MX`: 30 bits, enough to make collisions rare; the unique index catches the rest. */
export function generateInvoiceRef(): string {
  let code = '';
  for (let i = 0; i < REF_LENGTH; i++) code += REF_ALPHABET[randomInt(REF_ALPHABET.length)];
  return `INV-${code}`;
}

/** 32 random bytes (256 bits) in base64url: the capability in a customer's pay link. */
export function generatePayToken(): string {
  return randomBytes(32).toString('base64url');
}
