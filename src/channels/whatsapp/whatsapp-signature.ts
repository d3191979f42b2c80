import { createHmac } from 'node:crypto';
import { secretsMatch } from '../../common/security/secret-compare';
import type { WabaProvider } from '../../config/app-config';

export const META_SIGNATURE_HEADER = 'x-hub-signature-256';
export const WEBHOOK_SECRET_HEADER = 'x-webhook-secret';

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/i;

/** `sha256=<hex>` as Meta puts it in X-Hub-Signature-256. */
export function signMetaPayload(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Meta's scheme: HMAC-SHA256 of the exact bytes received, keyed with the app secret. */
export function verifyMetaSignature(
  rawBody: Buffer,
  header: string | undefined,
  appSecret: string,
): boolean {
  if (!appSecret || !header) return false;
  const match = SIGNATURE_FORMAT.exec(header.trim());
  if (!match) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest('hex');
  return secretsMatch(match[1].toLowerCase(), expected);
}

export interface WebhookAuthInput {
  provider: WabaProvider;
  rawBody: Buffer;
  /** Header values as Node gives them; a repeated header arrives as an array and is refused. */
  headers: Record<string, string | string[] | undefined>;
  appSecret: string;
  webhookSecret: string;
}

/** Which scheme applies follows the configured provider: 360dialog does not forward Meta's signature. */
export function authenticateWhatsAppWebhook(input: WebhookAuthInput): boolean {
  const header = (name: string): string | undefined => {
    const value = input.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  switch (input.provider) {
    case 'meta':
      return verifyMetaSignature(input.rawBody, header(META_SIGNATURE_HEADER), input.appSecret);
    case '360dialog':
      // 360dialog's scheme: a shared secret in a custom header.
      return secretsMatch(header(WEBHOOK_SECRET_HEADER), input.webhookSecret);
  }
}
