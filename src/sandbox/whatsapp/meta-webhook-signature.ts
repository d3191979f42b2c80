import { createHmac } from 'node:crypto';

/**
 * The X-Hub-Signature-256 value Meta sends with every webhook POST (PROTOCOLS.md §2):
 * `sha256=` and the lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the app
 * secret. The simulator computes it itself rather than borrowing the app's verifier's helper,
 * so a wrong reading of the scheme on either side makes the webhook tests fail.
 */
export function metaWebhookSignature(rawBody: string | Buffer, appSecret: string): string {
  const hmac = createHmac('sha256', Buffer.from(appSecret, 'utf8'));
  hmac.update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody);
  return `sha256=${hmac.digest('hex')}`;
}
